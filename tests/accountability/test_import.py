"""Bulk CSV import: rows checked one by one in a job, rejected rows reported with
their line and reasons, accepted rows become drafts to review and publish."""

import io

from sqlalchemy import select

from pbvote.accountability.models import (
    ExecutionImport,
    ExecutionRecord,
    ExecutionUpdate,
)
from tests.accountability.factories import execution_setup
from tests.helpers import csrf_token, login_staff, run_jobs, submit


def _upload(client, name, content: bytes):
    return client.post(
        "/staff/execution/imports/new",
        data={
            "csrf_token": csrf_token(client, "/staff/execution/imports/new"),
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def test_good_rows_become_drafts_and_bad_rows_are_reported(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    first, second = setup["record_ids"]
    login_staff(client, *setup["finance"])
    content = (
        "record_id;status;progress;committed_mad;spent_mad;actual_start;actual_end;"
        "reason;overspend_reason;text_ar;text_fr;service\n"
        f"{first};works;45;300 000;100000;02/03/2026;;;;;Travaux;Voirie\n"
        f"{second};completed;80;;;;;;;;Fin;Voirie\n"
        "9999;works;;;;;;;;;x;\n"
        f"{second};delayed;;;;;;;;;Retard;\n"
        f"{second};works;abc;;999999;2026-05-10;2026-05-01;;;;y;\n"
        "\n"
        f"{second};Travaux en cours;60;;;;;;;;Avance;Voirie\n"
        f"{second};;;99999999999999999999999;;;;;trop;;Énorme;\n"
        f"{first};;;;;;;;;;\n"
    ).encode()
    response = _upload(client, "export.csv", content)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    progress_url = response.headers["Location"]
    waiting = client.get(progress_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting
    run_jobs(app, "default")
    page = client.get(progress_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "8 of 8 rows checked: 2 accepted, 6 rejected." in page
    with committed() as session:
        batch = session.scalars(select(ExecutionImport)).one()
        rejected = {row["line"]: " ".join(row["reasons"]) for row in batch.rejected}
        assert set(rejected) == {3, 4, 5, 6, 9, 10}
        assert "not a plausible amount" in rejected[9]
        assert "changes nothing" in rejected[10]
        assert "must be at 100" in rejected[3]
        assert "no execution record 9999" in rejected[4]
        assert "needs a public reason" in rejected[5]
        assert "“abc” is not a whole number" in rejected[6]
        assert "give the public reason" in rejected[6]
        assert "cannot be before the start" in rejected[6]
        drafts = session.scalars(
            select(ExecutionUpdate).order_by(ExecutionUpdate.import_line)
        ).all()
        assert [(d.import_line, d.state, d.progress) for d in drafts] == [
            (2, "draft", 45),
            (8, "draft", 60),
        ]
        assert drafts[0].committed == 300_000
        assert drafts[0].actual_start.isoformat() == "2026-03-02"
    # Nothing is public until staff publish the drafts.
    with committed() as session:
        assert session.get(ExecutionRecord, first).progress == 0
    publish_url = progress_url + "/publish"
    assert "Publish 2 draft(s)?" in client.get(publish_url).get_data(as_text=True)
    submit(client, publish_url, {})
    with committed() as session:
        assert session.get(ExecutionRecord, first).progress == 45
        assert session.get(ExecutionRecord, second).status_key == "works"


def test_unreadable_files_are_refused_as_a_whole(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["finance"])
    cases = [
        (b"", "The file is empty"),
        ("record_id,status\n1,works\n".encode("utf-16"), "not UTF-8"),
        (b"status,progress\nworks,10\n", "must contain the column(s): record_id"),
        (b"record_id,colour\n1,red\n", "Unknown column(s): colour"),
        (b"record_id,status\n", "no rows"),
    ]
    for content, message in cases:
        response = _upload(client, "bad.csv", content)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), message
    with committed() as session:
        assert session.scalars(select(ExecutionImport)).all() == []


def test_import_is_for_finance_staff_only(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["admin"])
    assert client.get("/staff/execution/imports/new").status_code == 403


def test_an_interrupted_import_starts_again_without_duplicates(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["finance"])
    first = setup["record_ids"][0]
    _upload(
        client,
        "a.csv",
        f"record_id,progress,text_fr\n{first},10,a\n{first},20,b\n".encode(),
    )
    run_jobs(app, "default")
    with committed() as session:
        batch = session.scalars(select(ExecutionImport)).one()
        batch.state = "running"  # as if the worker had been killed half-way
        import_id = batch.id
    from redis import Redis
    from rq import Queue

    Queue("default", connection=Redis.from_url(app.config["REDIS_URL"])).enqueue(
        "jobs.accountability.process_import", import_id
    )
    run_jobs(app, "default")
    with committed() as session:
        assert len(session.scalars(select(ExecutionUpdate)).all()) == 2
        assert session.get(ExecutionImport, import_id).state == "done"
