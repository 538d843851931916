"""The secret ballot, checked on the tables themselves: an export of every column of
the ballots and of the voter tables shows nothing that links them."""

from datetime import date

from sqlalchemy import inspect, select, text

from pbvote.extensions import db
from pbvote.voting.models import (
    Ballot,
    ElectionKey,
    Verification,
    VoterEntry,
    VoterMark,
)
from tests.factories import create_staff
from tests.helpers import login_staff
from tests.voting.helpers import cast, verify

VOTER_TABLES = (
    "voter_registry",
    "voter_verifications",
    "voter_marks",
    "voter_verification_attempts",
    "kiosk_passes",
)


def _export(table: str) -> tuple[list[str], list[tuple]]:
    result = db.session.execute(text(f'SELECT * FROM "{table}"'))
    return list(result.keys()), [tuple(row) for row in result]


def _values(rows) -> set[str]:
    found = set()
    for row in rows:
        for value in row:
            if isinstance(value, bytes):
                found.add(value.hex())
            elif value is not None and not isinstance(value, (bool, date, int)):
                found.add(str(value))
    return found


def _vote_three(app, election):
    for index, (cin, birth) in enumerate(election["residents"]):
        client = app.test_client()
        verify(
            client, app, election["cycle_id"], cin, birth, phone=f"+21261234560{index}"
        )
        picks = election["projects"]["commune"][index : index + 1]
        assert cast(client, election, picks).status_code == 302


def test_the_export_shows_no_link_between_ballots_and_voters(app, election):
    _vote_three(app, election)
    with app.app_context():
        ballot_columns, ballot_rows = _export("ballots")
        assert sorted(ballot_columns) == sorted(
            [
                "id",
                "cycle_id",
                "position",
                "sealed",
                "receipt",
                "previous_hash",
                "chain_hash",
                "mixed_on",
            ]
        )
        assert len(ballot_rows) == 6
        ballot_values = _values(ballot_rows)
        for table in VOTER_TABLES:
            columns, rows = _export(table)
            # No ballot column, no sequence, no time finer than the day.
            assert not {
                "ballot_id",
                "receipt",
                "position",
                "chain_hash",
                "scope_id",
            } & set(columns), table
            assert not _values(rows) & ballot_values, table
            assert not ballot_values & {str(r) for r in rows}, table
        marks = db.session.execute(text("SELECT * FROM voter_marks")).mappings().all()
        assert set(marks[0].keys()) == {"cycle_id", "registry_entry_id", "voted_on"}
        voter_values = set()
        for table in VOTER_TABLES:
            voter_values |= _values(_export(table)[1])
        assert not voter_values & ballot_values
        # Foreign keys: a ballot points at its cycle only (its scope is sealed).
        targets = {fk.column.table.name for fk in Ballot.__table__.foreign_keys}
        assert targets == {"cycles"}
        for model in (VoterEntry, Verification, VoterMark):
            assert "ballots" not in {
                fk.column.table.name for fk in model.__table__.foreign_keys
            }


def test_no_datetime_column_on_ballots_or_marks(app):
    for model in (Ballot, VoterMark, Verification):
        for column in inspect(model).columns:
            assert "DateTime" not in type(column.type).__name__, (model, column.key)


def test_ballots_are_sealed_and_the_private_key_is_only_stored_wrapped(app, election):
    _vote_three(app, election)
    with app.app_context():
        key = db.session.get(ElectionKey, election["cycle_id"])
        assert len(key.sealing_private_wrapped) > 32  # nonce + ciphertext + tag
        for ballot in db.session.scalars(select(Ballot)):
            assert b"projects" not in ballot.sealed and len(ballot.sealed) > 1024


def test_staff_cannot_see_counts_while_voting_is_open(
    app, committed, commune, election
):
    _vote_three(app, election)
    with committed():
        _user, secret = create_staff(commune["id"], "admin", ["admin"])
    client = app.test_client()
    login_staff(client, "admin", secret)
    page = client.get(f"/staff/cycles/{election['cycle_id']}/election")
    text_ = page.get_data(as_text=True)
    assert page.status_code == 200 and "Residents who voted" in text_
    assert "commune-0" not in text_ and "commune-1" not in text_  # no project listed
    public = app.test_client().get(f"/cycles/{election['cycle_id']}/ballot-box")
    assert "commune-0" not in public.get_data(as_text=True)
