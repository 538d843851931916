"""Opening execution records from the winning projects (called by the tally)."""

from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, ExecutionStatus
from pbvote.accountability.services import open_execution_records
from pbvote.core.time import utcnow
from tests.accountability.factories import execution_setup
from tests.factories import create_cycle, create_project
from tests.helpers import run_jobs


def test_one_record_per_winning_project_with_its_cost_and_idempotent(
    app, committed, commune
):
    setup = execution_setup(committed, commune)
    with committed() as session:
        again = open_execution_records(
            setup["cycle_id"], setup["project_ids"], utcnow()
        )
        assert [r.id for r in again] == setup["record_ids"]
        records = session.scalars(
            select(ExecutionRecord).order_by(ExecutionRecord.id)
        ).all()
        assert [(r.allocated, r.status_key, r.progress, r.spent) for r in records] == [
            (400_000, "planned", 0, 0),
            (250_000, "planned", 0, 0),
        ]
        statuses = session.scalars(
            select(ExecutionStatus.key).order_by(ExecutionStatus.position)
        ).all()
        assert statuses == [
            "planned",
            "studies",
            "tendering",
            "contracted",
            "works",
            "completed",
            "delayed",
            "suspended",
            "cancelled",
        ]


def test_open_does_not_commit(app, committed, commune):
    setup = execution_setup(committed, commune, costs=(100_000,))
    from pbvote.cycles.models import Cycle
    from pbvote.extensions import db
    from tests.factories import create_project

    with app.app_context():
        cycle = db.session.get(Cycle, setup["cycle_id"])
        project = create_project(cycle, cycle.scopes[0], 50_000, title="Extra")
        open_execution_records(cycle.id, [project.id], utcnow())
        db.session.rollback()
        assert (
            db.session.scalar(
                select(ExecutionRecord).where(ExecutionRecord.project_id == project.id)
            )
            is None
        )


def test_project_of_another_cycle_is_refused(app, committed, commune):
    import pytest

    setup = execution_setup(committed, commune, costs=(100_000,))
    with committed():
        other = create_cycle(commune["id"], current_phase="execution", year=2001)
        foreign = create_project(other, other.scopes[0], 50_000).id
    with app.app_context(), pytest.raises(ValueError, match="is not in cycle"):
        open_execution_records(setup["cycle_id"], [foreign], utcnow())


def test_a_missing_cycle_is_refused(app, committed, commune):
    import pytest

    setup = execution_setup(committed, commune, costs=(100_000,))
    with app.app_context(), pytest.raises(ValueError, match="no cycle"):
        open_execution_records(setup["cycle_id"] + 999, setup["project_ids"], utcnow())


def test_dashboard_lists_opened_records(app, client, committed, commune):
    execution_setup(committed, commune)
    run_jobs(app, "followup")
    page = client.get("/execution")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Projet 1" in text and "Projet 2" in text
    assert "650" in text  # 650 000 MAD allocated in total


def test_cycle_page_links_to_its_execution_and_the_dashboard_filters(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    cycle_page = client.get(f"/cycles/{setup['cycle_id']}").get_data(as_text=True)
    assert f"/cycles/{setup['cycle_id']}/execution" in cycle_page
    response = client.get(f"/cycles/{setup['cycle_id']}/execution")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Projet 1" in page
    delayed_only = client.get("/execution?status=delayed").get_data(as_text=True)
    assert "Projet 1" not in delayed_only.split('id="projects"')[1]
    assert client.get("/execution?status=nonsense&cycle=abc").status_code == 200


def test_milestone_marked_done(app, client, committed, commune):
    from tests.helpers import login_staff, submit

    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    url = f"/staff/execution/{record_id}"
    empty = submit(
        client, f"{url}/milestones", {"m-planned_date": "2026-02-15"}, form_url=url
    )
    assert empty.status_code == 422 and "Give the milestone a title." in empty.get_data(
        as_text=True
    )
    submit(client, f"{url}/milestones", {"m-title_ar": "الأمر بالخدمة"}, form_url=url)
    done = submit(
        client,
        "/staff/execution/milestones/1/done",
        {"d-done_date": "2026-03-01"},
        form_url=url,
    )
    assert done.status_code == 302
    run_jobs(app, "followup")
    page = client.get(f"/execution/{record_id}").get_data(as_text=True)
    assert "الأمر بالخدمة" in page and "done on" in page


def test_statuses_are_data_that_administrators_edit(app, client, committed, commune):
    from tests.helpers import login_staff, submit

    setup = execution_setup(committed, commune)
    login_staff(client, *setup["admin"])
    listing = client.get("/staff/execution/statuses").get_data(as_text=True)
    assert "Works under way" in listing and "Travaux en cours" in listing
    url = "/staff/execution/statuses/works"
    bad = submit(
        client,
        url,
        {
            "label_ar": "الأشغال جارية",
            "label_fr": "Chantier",
            "label_en": "Works",
            "default_progress": "140",
        },
    )
    assert bad.status_code == 422 and "between 0 and 100" in bad.get_data(as_text=True)
    assert (
        submit(
            client,
            url,
            {
                "label_ar": "الأشغال جارية",
                "label_fr": "Chantier",
                "label_en": "Works",
                "default_progress": "60",
            },
        ).status_code
        == 302
    )
    completed = submit(
        client,
        "/staff/execution/statuses/completed",
        {
            "label_ar": "منجز",
            "label_fr": "Achevé",
            "label_en": "Completed",
            "default_progress": "90",
        },
    )
    assert "always at 100" in completed.get_data(as_text=True)
    delayed = submit(
        client,
        "/staff/execution/statuses/delayed",
        {
            "label_ar": "متأخر",
            "label_fr": "En retard",
            "label_en": "Late",
            "default_progress": "10",
        },
    )
    assert "leave the share empty" in delayed.get_data(as_text=True)
    # The new share is what finance staff get when they choose the status.
    finance = app.test_client()
    login_staff(finance, *setup["finance"])
    response = submit(
        finance,
        f"/staff/execution/{setup['record_ids'][0]}/updates/new",
        {"status_key": "works", "body_fr": "Chantier ouvert"},
    )
    preview = finance.get(response.headers["Location"]).get_data(as_text=True)
    assert "60 %" in preview and "Works" in preview
    finance_statuses = finance.get("/staff/execution/statuses")
    assert finance_statuses.status_code == 403


def test_each_commune_has_its_own_statuses(app, client, committed, commune):
    """Renaming a status in one commune leaves another commune's statuses, and its
    records, as they were; a record can only take its own commune's statuses."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from pbvote.accountability.statuses import statuses
    from tests.factories import create_commune, create_cycle, create_project
    from tests.helpers import login_staff, submit

    setup = execution_setup(committed, commune)
    with committed():
        other = create_commune(slug="chefchaouen", districts=("Souika",))
        cycle = create_cycle(
            other.id,
            current_phase="execution",
            district_ids=[d.id for d in other.districts],
        )
        project = create_project(cycle, cycle.scopes[0], 90_000, title="Ailleurs")
        (other_record,) = open_execution_records(cycle.id, [project.id], utcnow())
        other_id, other_record_id = other.id, other_record.id
    login_staff(client, *setup["admin"])
    response = submit(
        client,
        "/staff/execution/statuses/planned",
        {"label_ar": "مبرمج", "label_fr": "Prévu au budget", "label_en": "Budgeted"},
    )
    assert response.status_code == 302
    with committed() as session:
        assert statuses(commune["id"])[0].label_fr == "Prévu au budget"
        assert statuses(other_id)[0].label_fr == "Programmé"
        record = session.get(ExecutionRecord, other_record_id)
        assert (record.status.commune_id, record.status.label_fr) == (
            other_id,
            "Programmé",
        )
    with committed() as session:
        session.get(ExecutionStatus, statuses(other_id)[-1].id).key = "abandoned"
    with pytest.raises(IntegrityError), committed() as session:
        # "cancelled" now exists only in Ouazzane: not a status of this record.
        session.get(ExecutionRecord, other_record_id).status_key = "cancelled"


def test_the_cycle_link_to_execution_needs_a_cycle_of_this_commune(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    response = client.get(f"/cycles/{setup['cycle_id']}/execution")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/execution?cycle={setup['cycle_id']}#projects"
    )
    assert client.get("/cycles/999999/execution").status_code == 404
