"""Finance staff draft, preview and publish updates; the history is append-only;
bad values are refused with a clear message and what was typed is kept."""

from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, ExecutionUpdate
from pbvote.audit.models import AuditEntry
from tests.accountability.factories import execution_setup
from tests.helpers import login_staff, run_jobs, submit


def _new(client, record_id, data, **kwargs):
    return submit(client, f"/staff/execution/{record_id}/updates/new", data, **kwargs)


def _publish(client, update_id):
    return submit(
        client,
        f"/staff/execution/updates/{update_id}/publish",
        {},
        form_url=f"/staff/execution/updates/{update_id}",
    )


def _draft_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_draft_preview_publish_and_public_history(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    response = _new(
        client,
        record_id,
        {
            "status_key": "works",
            "committed": "300 000",
            "spent": "120000",
            "actual_start": "2026-03-02",
            "body_fr": "Début des travaux de voirie.",
            "body_ar": "انطلاق الأشغال",
            "service": "Service des travaux",
        },
    )
    update_id = _draft_id(response)
    preview = client.get(f"/staff/execution/updates/{update_id}").get_data(as_text=True)
    assert (
        "Preview of the draft" in preview and "Début des travaux de voirie." in preview
    )
    assert "50 %" in preview  # the status's default progress share
    # Nothing public yet.
    public = client.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "Début des travaux" not in public
    assert _publish(client, update_id).status_code == 302
    run_jobs(app, "followup")
    public = client.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "Début des travaux de voirie." in public and "Service des travaux" in public
    assert "Works under way" in public
    with committed() as session:
        record = session.get(ExecutionRecord, record_id)
        assert (record.status_key, record.progress, record.committed, record.spent) == (
            "works",
            50,
            300_000,
            120_000,
        )
        actions = session.scalars(
            select(AuditEntry.action).order_by(AuditEntry.id)
        ).all()
        assert "execution.draft" in actions and "execution.publish" in actions
    # Published entries are never edited: the edit page refuses and says why.
    edit = client.get(
        f"/staff/execution/updates/{update_id}/edit", follow_redirects=True
    )
    assert "publish a correction instead" in edit.get_data(as_text=True)
    again = _publish(client, update_id)
    assert again.status_code == 302
    with committed() as session:
        assert (
            session.scalar(
                select(ExecutionUpdate.state).where(ExecutionUpdate.id == update_id)
            )
            == "published"
        )


def test_correction_is_a_new_entry_and_the_original_stays(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    first = _draft_id(
        _new(client, record_id, {"spent": "90000", "body_fr": "Paiement."})
    )
    _publish(client, first)
    url = f"/staff/execution/{record_id}/updates/new?corrects={first}"
    page = client.get(url).get_data(as_text=True)
    assert "corrects the entry" in page
    fix = _draft_id(
        submit(client, url, {"spent": "60000", "body_fr": "Correction : 60 000 MAD."})
    )
    _publish(client, fix)
    run_jobs(app, "followup")
    public = client.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "Paiement." in public and "Correction : 60 000 MAD." in public
    assert "Correction" in public
    with committed() as session:
        assert session.get(ExecutionRecord, record_id).spent == 60_000
        assert session.get(ExecutionUpdate, fix).corrects_id == first


def test_bad_values_are_refused_with_clear_messages_and_kept(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]  # 400 000 MAD allocated
    login_staff(client, *setup["finance"])
    cases = [
        ({"progress": "150", "body_fr": "x"}, "between 0 and 100"),
        ({"progress": "-3", "body_fr": "x"}, "between 0 and 100"),
        ({"spent": "450000", "body_fr": "Dépassement"}, "give the public reason"),
        (
            {"actual_start": "2026-05-10", "actual_end": "2026-05-01", "body_fr": "x"},
            "cannot be before the start",
        ),
        (
            {"status_key": "completed", "progress": "80", "body_fr": "x"},
            "must be at 100",
        ),
        ({"status_key": "delayed", "body_fr": "x"}, "needs a public reason"),
        ({"status_key": "cancelled", "body_fr": "x"}, "needs a public reason"),
        ({"actual_start": "10 mai", "body_fr": "x"}, "YYYY-MM-DD"),
        ({"spent": "beaucoup", "body_fr": "x"}, "whole number of dirhams"),
        ({}, "changes nothing"),
    ]
    for data, message in cases:
        response = _new(client, record_id, data)
        text = response.get_data(as_text=True)
        assert response.status_code == 422, (data, response.status_code)
        assert message in text, (data, message)
        for value in data.values():
            assert f"{value}" in text  # what was typed is kept
    with committed() as session:
        assert session.scalars(select(ExecutionUpdate)).all() == []
    ok = _new(
        client,
        record_id,
        {
            "spent": "450000",
            "body_fr": "Dépassement",
            "overspend_reason": "Surcoût du bitume voté en conseil",
        },
    )
    update_id = _draft_id(ok)
    _publish(client, update_id)
    with committed() as session:
        record = session.get(ExecutionRecord, record_id)
        assert record.spent == 450_000
        assert record.overspend_reason == "Surcoût du bitume voté en conseil"
    # Completed without a progress goes to 100 %; delayed with a reason is accepted.
    done = _draft_id(
        _new(
            client,
            setup["record_ids"][1],
            {"status_key": "delayed", "reason": "Pluies"},
        )
    )
    _publish(client, done)
    with committed() as session:
        record = session.get(ExecutionRecord, setup["record_ids"][1])
        assert (record.status_key, record.status_reason) == ("delayed", "Pluies")


def test_publish_checks_again_against_the_current_record(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    start = _draft_id(
        _new(client, record_id, {"actual_start": "2026-06-01", "body_fr": "x"})
    )
    end = _draft_id(
        _new(client, record_id, {"actual_end": "2026-05-01", "body_fr": "y"})
    )
    _publish(client, start)
    response = _publish(client, end)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be before the start" in page
    with committed() as session:
        assert session.get(ExecutionUpdate, end).state == "draft"


def test_only_finance_staff_write_updates(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    url = f"/staff/execution/{record_id}/updates/new"
    anonymous = client.get(url)
    assert (
        anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    )
    for role in ("clerk", "admin"):
        other = app.test_client()
        login_staff(other, *setup[role])
        assert other.get(url).status_code == 403
        # A valid CSRF token (from any page), so the refusal is the role check's.
        assert submit(other, url, {"body_fr": "x"}, form_url="/").status_code == 403
    with committed() as session:
        assert session.scalars(select(ExecutionUpdate)).all() == []


def test_discard_needs_confirmation(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["finance"])
    update_id = _draft_id(
        _new(client, setup["record_ids"][0], {"body_fr": "Brouillon"})
    )
    url = f"/staff/execution/updates/{update_id}/discard"
    assert "Discard this draft?" in client.get(url).get_data(as_text=True)
    submit(client, url, {})
    with committed() as session:
        assert session.get(ExecutionUpdate, update_id).state == "discarded"


def test_subprojects_roll_up_weighted_by_cost(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    form_url = f"/staff/execution/{record_id}"
    for title, cost in (("Chaussée", "300000"), ("Éclairage", "100000")):
        response = submit(
            client,
            f"/staff/execution/{record_id}/subprojects",
            {"s-title_fr": title, "s-cost": cost},
            form_url=form_url,
        )
        assert response.status_code == 302
    bad = submit(
        client,
        f"/staff/execution/{record_id}/subprojects",
        {"s-title_fr": "Sans coût", "s-cost": "0"},
        form_url=form_url,
    )
    assert bad.status_code == 422 and "more than 0 MAD" in bad.get_data(as_text=True)
    with committed() as session:
        parts = session.get(ExecutionRecord, record_id).subprojects
        road, light = parts[0].id, parts[1].id
    # Progress on the whole project is refused: it comes from the sub-projects.
    refused = _new(client, record_id, {"progress": "40", "body_fr": "x"})
    assert "comes from its" in refused.get_data(as_text=True)
    _publish(
        client,
        _draft_id(
            _new(
                client,
                record_id,
                {
                    "subproject_id": str(light),
                    "status_key": "completed",
                    "body_fr": "Lampes",
                },
            )
        ),
    )
    with committed() as session:
        assert session.get(ExecutionRecord, record_id).progress == 25  # 100*1/4
    _publish(
        client,
        _draft_id(
            _new(
                client,
                record_id,
                {"subproject_id": str(road), "progress": "50", "body_fr": "Moitié"},
            )
        ),
    )
    with committed() as session:
        assert (
            session.get(ExecutionRecord, record_id).progress == 62
        )  # (150+100)/4=62.5
    refused = _new(client, record_id, {"status_key": "completed", "body_fr": "Fini ?"})
    assert "sub-projects are at 62" in refused.get_data(as_text=True)


def test_record_details_and_milestones(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    url = f"/staff/execution/{record_id}"
    bad = submit(
        client,
        url,
        {
            "responsible_service": "Voirie",
            "planned_start": "2026-09-01",
            "planned_end": "2026-02-01",
        },
    )
    assert (
        bad.status_code == 200
        and "cannot be before the planned start" in bad.get_data(as_text=True)
    )
    assert 'value="Voirie"' in bad.get_data(as_text=True)
    ok = submit(
        client,
        url,
        {
            "responsible_service": "Voirie",
            "contractor": "SOTRAVO",
            "procurement_ref": "AO-12/2026",
            "location": "Rmel",
            "planned_start": "2026-02-01",
            "planned_end": "2026-09-01",
        },
    )
    assert ok.status_code == 302
    submit(
        client,
        f"/staff/execution/{record_id}/milestones",
        {"m-title_fr": "Ordre de service", "m-planned_date": "2026-02-15"},
        form_url=url,
    )
    run_jobs(app, "followup")
    public = client.get(f"/execution/{record_id}").get_data(as_text=True)
    for text in ("Voirie", "SOTRAVO", "AO-12/2026", "Rmel", "Ordre de service"):
        assert text in public


def test_admin_sees_the_list_but_edits_nothing(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["admin"])
    listing = client.get("/staff/execution")
    assert listing.status_code == 200 and "Projet 1" in listing.get_data(as_text=True)
    assert client.get(f"/staff/execution/{setup['record_ids'][0]}").status_code == 403
    assert client.get("/staff/execution/reports").status_code == 200
    home = client.get("/staff/").get_data(as_text=True)
    assert "/staff/execution" in home


def test_preview_shows_why_a_stale_draft_cannot_be_published(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    stale = _draft_id(
        _new(client, record_id, {"status_key": "completed", "body_fr": "Fini"})
    )
    _publish(
        client,
        _draft_id(
            _new(
                client,
                record_id,
                {
                    "status_key": "suspended",
                    "reason": "Litige foncier",
                    "body_fr": "Arrêt",
                },
            )
        ),
    )
    with committed() as session:
        record = session.get(ExecutionRecord, record_id)
        assert (record.status_key, record.progress) == ("suspended", 0)
    preview = client.get(f"/staff/execution/updates/{stale}").get_data(as_text=True)
    assert (
        "cannot be published as it is" not in preview
    )  # completed → 100 %: still fine
    bad = _draft_id(_new(client, record_id, {"progress": "30", "body_fr": "x"}))
    with committed() as session:
        session.get(ExecutionRecord, record_id).status_key = "completed"
    preview = client.get(f"/staff/execution/updates/{bad}").get_data(as_text=True)
    assert "cannot be published as it is" in preview and "must be at 100" in preview
    assert f"/staff/execution/updates/{bad}/publish" not in preview
