"""Results pages, the public record, the staff tally page and the API."""

import re

from sqlalchemy import select

from pbvote.extensions import db
from pbvote.results.models import TallyRun
from tests.helpers import login_staff, run_jobs, submit
from tests.results.factories import create_election


def counted(app, committed, commune, **options):
    with committed():
        election = create_election(commune["id"], **options)
    from tests.results.test_jobs import start

    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    return election


def test_results_wait_for_the_count(client, committed, commune):
    with committed():
        election = create_election(commune["id"], phase="voting")
    page = client.get(f"/cycles/{election['cycle_id']}/results")
    assert page.status_code == 200
    assert "The results will appear here after the count." in page.get_data(
        as_text=True
    )
    assert "<svg" not in page.get_data(as_text=True)
    assert (
        client.get(f"/cycles/{election['cycle_id']}/results/record").status_code == 404
    )
    for path in ("results", "ballot-chain", "opened-ballots"):
        assert (
            client.get(f"/api/v1/cycles/{election['cycle_id']}/{path}").status_code
            == 404
        )
    for download in ("record.json", "chain.csv", "ballots.csv"):
        assert (
            client.get(f"/cycles/{election['cycle_id']}/results/{download}").status_code
            == 404
        )


def test_results_page_in_arabic_has_a_right_to_left_chart(
    app, client, committed, commune
):
    election = counted(app, committed, commune)
    client.set_cookie("lang", "ar")
    html = client.get(f"/cycles/{election['cycle_id']}/results").get_data(as_text=True)
    assert 'dir="rtl"' in html
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL).group(0)
    assert 'role="img"' in svg and 'direction="rtl"' in svg
    assert svg.count('class="row winner"') == 3 and svg.count('class="row"') == 1
    assert "مشروع p3" in svg  # the Arabic titles are SVG text
    # bars grow from the right: the longest (p3, 7 votes) starts at 0%, p4 at 71.43%
    assert 'x="0.0%" y="24" width="100.0%"' in svg.replace('x="0%"', 'x="0.0%"')
    assert "<table" in html and "<caption>" in html
    assert "مشروع p3" in html and ">7<" in html


def test_results_page_in_french_explains_mes_winners(app, client, committed, commune):
    election = counted(app, committed, commune, rule="mes")
    client.set_cookie("lang", "fr")
    html = client.get(f"/cycles/{election['cycle_id']}/results").get_data(as_text=True)
    assert 'dir="ltr"' in html and 'direction="ltr"' in html
    assert "Choisi au tour 1" in html
    assert "parts égales" in html
    assert "moins cher" in html


def test_record_page_paginates_and_finds_a_receipt(app, client, committed, commune):
    election = counted(app, committed, commune)
    url = f"/cycles/{election['cycle_id']}/results/record"
    html = client.get(url).get_data(as_text=True)
    # Each receipt is shortened, with the whole value one tap away.
    receipts = re.findall(r'<bdi class="hash receipt" dir="ltr">([0-9a-f]{64})<', html)
    assert len(receipts) == 15
    with app.app_context():
        from tests.results.factories import ballots_of

        assert receipts == [b.receipt for b in ballots_of(election["cycle_id"])]
    assert html.count('<tr class="ballot">') == 15
    found = client.get(url, query_string={"receipt": receipts[3][:10].upper()})
    text = found.get_data(as_text=True)
    assert f'<code class="hash found-receipt">{receipts[3]}</code>' in text
    assert "This receipt is in the ballot box" in text
    missing = client.get(url, query_string={"receipt": "0123456789abcdef"})
    assert "No receipt starts with these characters" in missing.get_data(as_text=True)
    short = client.get(url, query_string={"receipt": "ab"}).get_data(as_text=True)
    assert "at least the first 8 characters" in short
    assert 'value="ab"' in short  # what was typed stays
    for download in (
        "record.json",
        "chain.csv",
        "ballots.csv",
        f"scope-{election['scope_id']}.pb",
    ):
        assert f"/results/{download}" in html


def test_record_page_paginates_long_records(app, client, committed, commune):
    election = counted(app, committed, commune, ballots=[("p1",)] * 60)
    url = f"/cycles/{election['cycle_id']}/results/record"
    first = client.get(url).get_data(as_text=True)
    assert first.count('<bdi class="hash receipt"') == 50
    assert first.count('<tr class="ballot">') == 50
    assert "chain_page=2#chain" in first and "ballots_page=2#ballots" in first
    chain_two = client.get(url, query_string={"chain_page": 2}).get_data(as_text=True)
    assert chain_two.count('<bdi class="hash receipt"') == 10
    assert chain_two.count('<tr class="ballot">') == 50  # the other list stays put
    both = client.get(url, query_string={"chain_page": 2, "ballots_page": 2})
    assert both.get_data(as_text=True).count('<tr class="ballot">') == 10
    assert client.get(url, query_string={"ballots_page": "x"}).status_code == 404
    last = client.get(url, query_string={"ballots_page": 2**40})
    assert last.get_data(as_text=True).count('<tr class="ballot">') == 10


def test_pb_download_recounts_to_the_published_winners(
    app, client, committed, commune, tmp_path, runner
):
    import json

    election = counted(app, committed, commune, rule="mes")
    download = client.get(
        f"/cycles/{election['cycle_id']}/results/scope-{election['scope_id']}.pb"
    )
    assert download.status_code == 200
    path = tmp_path / "scope.pb"
    path.write_bytes(download.data)
    result = runner.invoke(args=["tally-file", str(path), "--rule", "mes"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["matches_published"] is True
    published = client.get(f"/api/v1/cycles/{election['cycle_id']}/results").get_json()
    assert data["winners"] == published["scopes"][0]["winners"]


def test_csv_downloads_list_the_chain_and_the_opened_ballots(
    app, client, committed, commune
):
    election = counted(app, committed, commune)
    base = f"/cycles/{election['cycle_id']}/results"
    chain = client.get(f"{base}/chain.csv")
    assert "chain.csv" in chain.headers["Content-Disposition"]
    lines = chain.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "position,receipt,previous_hash,chain_hash"
    assert len(lines) == 16 and lines[1].startswith("1,")
    ballots = client.get(f"{base}/ballots.csv").get_data(as_text=True)
    lines = ballots.strip().splitlines()
    assert lines[0] == "index,scope_id,projects,valid"
    assert len(lines) == 16
    assert client.get(f"{base}/record.csv").status_code == 404  # the old single list


def test_api_results_and_record(app, client, committed, commune):
    election = counted(app, committed, commune)
    cycle_id = election["cycle_id"]
    data = client.get(f"/api/v1/cycles/{cycle_id}/results").get_json()
    [scope] = data["scopes"]
    names = election["names"]
    assert [names[int(w)] for w in scope["winners"]] == ["p3", "p1", "p4"]
    assert data["signed_results"]["signature"]
    assert data["downloads"]["chain_csv"].endswith("/chain.csv")
    chain = client.get(f"/api/v1/cycles/{cycle_id}/ballot-chain").get_json()
    assert chain["total"] == 15 and [e["position"] for e in chain["items"]] == list(
        range(1, 16)
    )
    assert chain["items"][-1]["chain_hash"] == chain["chain_head"]
    receipt = chain["items"][4]["receipt"]
    found = client.get(
        f"/api/v1/cycles/{cycle_id}/ballot-chain", query_string={"receipt": receipt[:8]}
    ).get_json()
    assert receipt in [e["receipt"] for e in found["items"]]
    short = client.get(
        f"/api/v1/cycles/{cycle_id}/ballot-chain", query_string={"receipt": "ab"}
    )
    assert short.status_code == 400 and short.get_json()["error"] == "bad_receipt"
    opened = client.get(f"/api/v1/cycles/{cycle_id}/opened-ballots").get_json()
    assert opened["total"] == 15 and len(opened["items"]) == 15
    assert all("receipt" not in b and "position" not in b for b in opened["items"])
    assert client.get("/api/v1/cycles/999999/opened-ballots").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/cycles/{cycle_id}/results",
        "/api/v1/cycles/{cycle_id}/ballot-chain",
        "/api/v1/cycles/{cycle_id}/opened-ballots",
    ):
        assert path in spec["paths"]


def test_staff_start_needs_confirmation_and_admin(
    app, client, committed, commune, admin
):
    from tests.factories import create_staff

    with committed():
        election = create_election(commune["id"])
        _, reviewer_secret = create_staff(commune["id"], "reviewer", ["reviewer"])
    url = f"/staff/cycles/{election['cycle_id']}/tally"
    assert client.get(url).status_code == 302  # to the staff sign-in
    login_staff(client, "reviewer", reviewer_secret)
    assert client.get(url).status_code == 403
    client.post("/logout", data={})
    other = app.test_client()
    login_staff(other, "admin", admin["secret"])
    page = other.get(url).get_data(as_text=True)
    assert "Start the count" in page
    confirm = other.get(url + "/start").get_data(as_text=True)
    assert "cannot be undone" in confirm
    response = submit(other, url + "/start", {})
    assert response.status_code == 302
    progress = other.get(url).get_data(as_text=True)
    assert 'http-equiv="refresh"' in progress  # the job waits for a worker
    assert "Checking the hash chain" in progress
    again = submit(
        other, url + "/start", {}, form_url=url + "/start", follow_redirects=True
    ).get_data(as_text=True)
    assert "already running" in again
    run_jobs(app, "tally")
    done = other.get(url).get_data(as_text=True)
    assert "See the published results" in done and 'http-equiv="refresh"' not in done
    with app.app_context():
        run = db.session.scalar(select(TallyRun))
        assert run.started_by_id == admin["id"]


def test_staff_start_refused_before_voting_closes(
    app, client, committed, commune, admin
):
    with committed():
        election = create_election(commune["id"], phase="voting")
    login_staff(client, "admin", admin["secret"])
    url = f"/staff/cycles/{election['cycle_id']}/tally/start"
    page = submit(client, url, {}, follow_redirects=True).get_data(as_text=True)
    assert "Voting is open until" in page


def test_failed_chain_shows_an_alert_to_administrators(
    app, client, committed, commune, admin
):
    from pbvote.voting.models import Ballot

    with committed():
        election = create_election(commune["id"])
    with committed():
        ballot = db.session.scalar(select(Ballot).where(Ballot.position == 2))
        ballot.chain_hash = "f" * 64
    from tests.results.test_jobs import start

    start(app, election["cycle_id"])
    run_jobs(app, "tally")
    login_staff(client, "admin", admin["secret"])
    listing = client.get("/staff/tallies").get_data(as_text=True)
    assert 'role="alert"' in listing and "position 2" in listing
    page = client.get(f"/staff/cycles/{election['cycle_id']}/tally").get_data(
        as_text=True
    )
    assert "nothing was published" in page
    public = client.get(f"/cycles/{election['cycle_id']}/results").get_data(
        as_text=True
    )
    assert "<svg" not in public
