"""The voter registry: CSV import with progress, a report of rejected rows that
never stops good rows, ID numbers kept only as keyed hashes, locked once voting
has opened."""

import io
from datetime import date

import pytest
from sqlalchemy import select, text

from pbvote.extensions import db
from pbvote.voting.models import ImportRejection, ImportRun, VoterEntry
from pbvote.voting.registry import cin_hash
from tests.factories import create_cycle, create_staff
from tests.helpers import csrf_token, login_staff, run_jobs
from tests.voting.factories import create_entry


@pytest.fixture
def admin(client, committed, commune):
    with committed():
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
    login_staff(client, "admin", secret)
    return client


@pytest.fixture
def review_cycle(committed, commune):
    with committed():
        cycle = create_cycle(
            commune["id"], current_phase="review", district_ids=commune["district_ids"]
        )
        create_entry(cycle.id, commune["district_ids"][0], "ZZ999999", date(1960, 1, 1))
        return cycle.id


def _csv(commune, young_year):
    adrou = commune["district_ids"][0]
    return "\n".join(
        [
            "cin;birth_date;district;phone",
            "ab 123456;1990-04-23;Adrou;06 12 34 56 78",  # 2 ok (normalised)
            "X12;1990-01-01;Adrou;",  # 3 bad ID format
            "CD234567;31/02/1990;Adrou;",  # 4 impossible date
            f"EF345678;01/01/{young_year};Adrou;",  # 5 under the minimum age
            "GH456789;1985-05-05;Nowhere;",  # 6 unknown district
            "AB123456;1970-01-01;Assal;",  # 7 duplicate in the file
            "JK567890;1975-07-07;حي Rmel;",  # 8 ok, Arabic name
            f"LM678901;07/07/1975;{adrou};",  # 9 ok, district id
            "ZZ 999999;1960-01-01;Adrou;",  # 10 already in the registry
            "NP789012;1980-02-02;adrou;0512",  # 11 bad phone
        ]
    ).encode()


def _upload(client, cycle_id, data, name="registry.csv"):
    url = f"/staff/cycles/{cycle_id}/registry"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_loads_good_rows_and_reports_bad_ones_by_line(
    admin, app, commune, review_cycle
):
    response = _upload(admin, review_cycle, _csv(commune, date.today().year - 10))
    assert response.status_code == 302
    progress = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' in progress and "Waiting to start" in progress
    run_jobs(app, "default")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Import finished" in page
    with app.app_context():
        run = db.session.scalars(select(ImportRun)).one()
        assert (
            run.total_rows,
            run.processed_rows,
            run.accepted_rows,
            run.rejected_rows,
        ) == (10, 10, 3, 7)
        assert run.data_enc is None
        reasons = dict(
            db.session.execute(
                select(ImportRejection.line, ImportRejection.reason)
            ).all()
        )
        assert reasons == {
            3: "cin_format",
            4: "date_invalid",
            5: "too_young",
            6: "district_unknown",
            7: "duplicate_file",
            10: "duplicate_registry",
            11: "phone_invalid",
        }
        entry = db.session.scalar(
            select(VoterEntry).where(VoterEntry.cin_hash == cin_hash("AB123456"))
        )
        assert entry.birth_date == date(1990, 4, 23) and entry.phone_hash
        districts = sorted(
            db.session.scalars(
                select(VoterEntry.district_id).where(VoterEntry.import_run_id == run.id)
            )
        )
        assert districts == sorted(
            [commune["district_ids"][0]] * 2 + [commune["district_ids"][2]]
        )
    assert "impossible" not in page  # reasons are full sentences
    assert "Line" in page and "not a real date" in page and "Nowhere" in page


def test_id_numbers_are_stored_only_as_keyed_hashes(admin, app, commune, review_cycle):
    _upload(admin, review_cycle, _csv(commune, 2020))
    run_jobs(app, "default")
    with app.app_context():
        for table in db.metadata.sorted_tables:
            dump = str(db.session.execute(text(f'SELECT * FROM "{table.name}"')).all())
            for cin in ("AB123456", "123456", "JK567890", "567890"):
                assert cin not in dump, (table.name, cin)


def test_running_the_job_again_changes_nothing(admin, app, commune, review_cycle):
    from jobs.voting import import_registry

    _upload(admin, review_cycle, _csv(commune, 2020))
    run_jobs(app, "default")
    with app.app_context():
        run_id = db.session.scalar(select(ImportRun.id))
        assert import_registry(run_id) == "done"
        assert db.session.query(VoterEntry).count() == 4


def test_a_file_without_the_columns_is_refused_with_a_message(admin, review_cycle):
    response = _upload(admin, review_cycle, b"name,age\nAli,30\n")
    text_ = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "must name the columns" in text_ and "cin" in text_


def test_no_file_is_refused_with_a_message(admin, review_cycle):
    url = f"/staff/cycles/{review_cycle}/registry"
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url)})
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_the_registry_is_locked_once_voting_has_opened(admin, committed, commune, app):
    with committed():
        cycle_id = create_cycle(commune["id"], current_phase="voting").id
    response = _upload(admin, cycle_id, _csv(commune, 2020))
    assert "cannot change once voting has opened" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ImportRun).count() == 0


def test_without_redis_the_import_runs_in_process(
    tmp_path_factory, app, commune, committed, review_cycle
):
    from pbvote import create_app
    from tests.conftest import test_config

    embedded = create_app(
        test_config(
            tmp_path_factory,
            REDIS_URL=None,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        )
    )
    with committed():
        _user, secret = create_staff(commune["id"], "admin2", ["admin"])
    client = embedded.test_client()
    login_staff(client, "admin2", secret)
    response = _upload(client, review_cycle, _csv(commune, 2020))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import finished" in page
    with embedded.app_context():
        assert db.session.query(VoterEntry).count() == 4
        db.session.remove()
        db.engine.dispose()


def test_the_registry_page_needs_an_administrator(client, review_cycle):
    response = client.get(f"/staff/cycles/{review_cycle}/registry")
    assert (
        response.status_code == 302 and "/staff/login" in response.headers["Location"]
    )


def test_a_large_file_is_loaded_in_batches(admin, app, commune, review_cycle):
    rows = ["cin,birth_date,district"] + [
        f"AA{100000 + i},1980-01-01,Assal" for i in range(1201)
    ]
    response = _upload(admin, review_cycle, "\n".join(rows).encode())
    run_jobs(app, "default")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and "1,201" in page
    with app.app_context():
        run = db.session.scalars(select(ImportRun)).one()
        assert (run.processed_rows, run.accepted_rows, run.rejected_rows) == (
            1201,
            1201,
            0,
        )


def test_a_binary_file_is_refused_with_a_message(admin, review_cycle):
    response = _upload(
        admin, review_cycle, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.png"
    )
    text_ = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CSV" in text_ and "error-summary" in text_
