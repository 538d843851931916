"""``pbvote verify-results`` on the downloaded JSON record."""

import json

from tests.results.test_pages import counted


def download(client, election, tmp_path, change=None):
    data = json.loads(
        client.get(f"/cycles/{election['cycle_id']}/results/record.json").get_data(
            as_text=True
        )
    )
    if change:
        change(data)
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_downloaded_record_verifies(app, client, committed, commune, runner, tmp_path):
    election = counted(app, committed, commune, rule="mes")
    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "OK   signature of the results (Ed25519)" in result.output
    assert "OK   hash chain recomputed from the receipts: 15 ballots" in result.output
    assert "OK   as many opened ballots as receipts in the chain" in result.output
    assert "OK   opened ballots match the signed digest" in result.output
    assert "OK   recount of scope commune with mes" in result.output
    assert "RESULT: OK" in result.output


def test_a_changed_ballot_fails_the_digest_and_the_count(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)
    p2 = str(election["projects"]["p2"])

    def change(data):
        for ballot in data["ballots"]:
            ballot["projects"] = [p2]

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 1
    assert "FAIL opened ballots match the signed digest" in result.output
    assert "FAIL recount of scope commune" in result.output
    assert "RESULT: FAIL" in result.output


def test_a_changed_signed_result_fails_the_signature(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def change(data):
        data["signed_results"]["payload"] = data["signed_results"]["payload"].replace(
            '"budget":100', '"budget":101'
        )

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 1
    assert "FAIL signature of the results" in result.output


def test_a_broken_chain_in_the_file_is_found(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def change(data):
        data["chain"] = [e for e in data["chain"] if e["position"] != 7]

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 1
    assert "FAIL hash chain recomputed from the receipts: position 7 is missing" in (
        result.output
    )


def test_a_removed_opened_ballot_is_found(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def change(data):
        data["ballots"] = data["ballots"][1:]

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 1
    assert "OK   hash chain recomputed from the receipts" in result.output
    assert (
        "FAIL as many opened ballots as receipts in the chain: 14 opened ballots, "
        "15 receipts, 15 signed"
    ) in result.output
    assert "FAIL opened ballots match the signed digest" in result.output


def test_an_opened_ballot_moved_to_another_scope_is_found(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def change(data):
        data["ballots"][0]["scope_id"] = 999999

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 1
    assert "FAIL every opened ballot belongs to a signed scope: 1 ballot names" in (
        result.output
    )
    assert "FAIL recount of scope commune with greedy: 14 valid and 0 invalid" in (
        result.output
    )


def test_the_old_single_list_format_is_refused(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def change(data):
        del data["chain"]

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, change)]
    )
    assert result.exit_code == 2
    assert "lacks or garbles 'chain'" in result.output


def test_a_file_that_is_not_a_record_is_refused(runner, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    result = runner.invoke(args=["verify-results", str(path)])
    assert result.exit_code == 2
    assert "not a pbvote-ballot-record/3 file" in result.output
    path.write_text("not json")
    assert runner.invoke(args=["verify-results", str(path)]).exit_code == 2


def test_record_with_several_scopes_and_an_invalid_ballot_verifies(
    app, client, committed, commune, runner, tmp_path
):
    from sqlalchemy import select

    from pbvote.cycles.models import Cycle, Scope
    from pbvote.extensions import db
    from tests.factories import create_project
    from tests.helpers import run_jobs
    from tests.results.factories import cast_ballot, create_election
    from tests.results.test_jobs import start

    with committed():
        election = create_election(
            commune["id"],
            rule="mes-card",
            budget=200,
            district_ids=commune["district_ids"][:1],
        )
        cycle = db.session.get(Cycle, election["cycle_id"])
        district = db.session.scalar(
            select(Scope).where(
                Scope.cycle_id == cycle.id, Scope.district_id.is_not(None)
            )
        )
        local = create_project(cycle, district, 30, title="local")
        cast_ballot(cycle, district, [local.id])
        cast_ballot(cycle, district, [election["projects"]["p1"]])  # invalid here
    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("OK   recount of scope") == 2


def _fingerprint(client, election) -> str:
    box = client.get(f"/api/v1/cycles/{election['cycle_id']}/ballot-box").get_json()
    return box["signing_key_fingerprint"]


def test_the_record_verifies_against_the_key_published_when_voting_opened(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)
    key = _fingerprint(client, election)
    page = client.get(f"/cycles/{election['cycle_id']}/ballot-box")
    assert key in page.get_data(as_text=True)
    path = download(client, election, tmp_path)
    result = runner.invoke(args=["verify-results", path, "--key", key])
    assert result.exit_code == 0, result.output
    assert "OK   signed by the expected key" in result.output
    assert "OK   what the record shows is what was signed" in result.output


def _resign(data, change_payload):
    """A forger's record: payload changed, signed with a key of their own, and
    that key put in the file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    payload = json.loads(data["signed_results"]["payload"])
    change_payload(payload)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    forger = Ed25519PrivateKey.generate()
    data["signed_results"]["payload"] = text
    data["signed_results"]["signature"] = forger.sign(text.encode()).hex()
    data["public_keys"]["signing_ed25519"] = (
        forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    )


def test_a_forged_and_re_signed_record_is_refused_with_the_key(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)
    key = _fingerprint(client, election)
    p4 = election["projects"]["p4"]

    def forge(data):
        def new_winners(payload):
            for scope in (payload["scopes"][0], payload["shown"]["scopes"][0]):
                scope["winners"] = [str(p4)]

        _resign(data, new_winners)
        data["scopes"][0]["winners"] = [str(p4)]

    def same_content(data):
        _resign(data, lambda payload: None)

    for change in (forge, same_content):
        path = download(client, election, tmp_path, change)
        result = runner.invoke(args=["verify-results", path, "--key", key])
        assert result.exit_code == 1, result.output
        assert "FAIL signed by the expected key" in result.output
        assert "OK   signature of the results" in result.output  # it is signed...


def test_readable_names_and_votes_are_covered_by_the_signature(
    app, client, committed, commune, runner, tmp_path
):
    election = counted(app, committed, commune)

    def rename(data):
        data["scopes"][0]["name_fr"] = "Autre chose"
        data["scopes"][0]["projects"][0]["votes"] += 100

    result = runner.invoke(
        args=["verify-results", download(client, election, tmp_path, rename)]
    )
    assert result.exit_code == 1
    assert "FAIL what the record shows is what was signed: differs in scopes" in (
        result.output
    )
