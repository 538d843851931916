"""Polls through the HTTP client on PostgreSQL: verification, one secret vote
each (also under concurrent casts), the period, bad input, receipts, the count
job and the public record checked by ``pbvote verify-poll``."""

import json
import threading
from datetime import timedelta

from sqlalchemy import func, inspect, select

from jobs.polls import mix_ballots
from pbvote.audit.models import AuditEntry
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.polls.models import (
    Poll,
    PollBallot,
    PollHeldBallot,
    PollKey,
    PollMark,
    PollResult,
)
from pbvote.polls.verify import verify_document
from pbvote.voting import sealing
from tests.helpers import csrf_token, run_jobs, submit
from tests.polls.factories import create_open_poll
from tests.polls.helpers import answers, cast, verify


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _close_now(committed, poll_id):
    with committed():
        row = db.session.get(Poll, poll_id)
        row.closes_at_dt = utcnow() - timedelta(seconds=1)


def test_a_resident_verifies_votes_once_and_finds_the_receipt(app, client, poll):
    cin, birth = poll["residents"][0]
    verify(client, app, poll["poll_id"], cin, birth)
    page = client.get(f"/polls/{poll['poll_id']}/ballot").get_data(as_text=True)
    # One fieldset and legend per question, radio buttons inside labels.
    assert page.count("<fieldset") == 2 and page.count("<legend") == 2
    assert 'type="radio"' in page and "I do not answer this question" in page
    response = cast(client, poll, answers(poll, poll["yes"], poll["days"][2]))
    assert response.status_code == 302
    done = client.get(f"/polls/{poll['poll_id']}/done").get_data(as_text=True)
    assert "Your vote is recorded" in done
    assert "is in the public chain" in done  # mixed (batch of one in tests)
    with app.app_context():
        ballot = db.session.scalars(select(PollBallot)).one()
        assert ballot.receipt in done
        assert _count(PollMark) == 1 and _count(PollHeldBallot) == 0
        # No column of the chain row can name a voter.
        columns = {c.key for c in inspect(PollBallot).columns}
        assert columns == {
            "id",
            "poll_id",
            "position",
            "sealed",
            "receipt",
            "previous_hash",
            "chain_hash",
            "mixed_on",
        }
        short = ballot.receipt[:16]
    found = client.get(f"/polls/{poll['poll_id']}?receipt={short}")
    assert "your ballot is in the box" in found.get_data(as_text=True)
    unknown = client.get(f"/polls/{poll['poll_id']}?receipt={'0' * 16}")
    assert "No ballot has this receipt" in unknown.get_data(as_text=True)
    # ...and says where to go, as the budget vote's ballot box does.
    assert "citizen office" in unknown.get_data(as_text=True)
    assert "citizen office" not in found.get_data(as_text=True)


def test_a_second_vote_is_refused_with_a_clear_message(app, client, poll):
    cin, birth = poll["residents"][0]
    verify(client, app, poll["poll_id"], cin, birth)
    assert cast(client, poll, answers(poll, poll["no"], "blank")).status_code == 302
    again = client.get(f"/polls/{poll['poll_id']}/ballot")
    assert again.status_code == 409
    assert "already voted in this poll" in again.get_data(as_text=True)
    # Verifying again in another browser gives no second vote either.
    other = app.test_client()
    verify(other, app, poll["poll_id"], cin, birth, phone="+212612345679")
    replay = other.post(
        f"/polls/{poll['poll_id']}/ballot",
        data={
            "csrf_token": csrf_token(other, "/login"),  # the ballot page is a 409
            **answers(poll, poll["yes"], poll["days"][0]),
        },
    )
    assert replay.status_code == 409
    assert "already voted in this poll" in replay.get_data(as_text=True)
    with app.app_context():
        assert _count(PollMark) == 1 and _count(PollBallot) == 1


def test_thirty_concurrent_casts_by_one_resident_give_exactly_one_vote(app, poll):
    cin, birth = poll["residents"][0]
    first = app.test_client()
    verify(first, app, poll["poll_id"], cin, birth)
    cookie = first.get_cookie("session")
    url = f"/polls/{poll['poll_id']}/ballot"
    clients, tokens = [], []
    for _ in range(30):
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        clients.append(client)
        tokens.append(csrf_token(client, url))
    barrier = threading.Barrier(30)
    results = [None] * 30
    data = answers(poll, poll["yes"], poll["days"][1])

    def attempt(index):
        barrier.wait()
        response = clients[index].post(url, data={"csrf_token": tokens[index], **data})
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [code for code, _body in results]
    assert codes.count(302) == 1 and codes.count(409) == 29
    assert all("already voted" in body for code, body in results if code == 409)
    with app.app_context():
        mix_ballots(poll["poll_id"])  # as the workers' tick does
        assert _count(PollMark) == 1
        assert _count(PollBallot) == 1
        assert db.session.get(PollKey, poll["poll_id"]).ballot_count == 1


def test_no_vote_before_or_after_the_period(app, client, committed, commune, registry):
    with committed():
        later = create_open_poll(commune, registry, start=timedelta(hours=2))
    cin, birth = registry["residents"][0]
    early = client.get(f"/polls/{later['poll_id']}/vote")
    assert early.status_code == 409
    assert "not open yet" in early.get_data(as_text=True)
    # A resident verified while it was open finds it closed at the end.
    with committed():
        now_poll = create_open_poll(commune, registry, start=-timedelta(hours=1))
    verify(client, app, now_poll["poll_id"], cin, birth)
    token = csrf_token(client, f"/polls/{now_poll['poll_id']}/ballot")
    _close_now(committed, now_poll["poll_id"])
    late = client.post(
        f"/polls/{now_poll['poll_id']}/ballot",
        data={
            "csrf_token": token,
            **answers(now_poll, now_poll["yes"], now_poll["days"][0]),
        },
    )
    assert late.status_code == 409
    assert "votes are no longer accepted" in late.get_data(as_text=True)
    with app.app_context():
        assert _count(PollMark) == 0 and _count(PollHeldBallot) == 0


def test_bad_answers_are_refused_and_nothing_is_written(app, client, poll):
    cin, birth = poll["residents"][0]
    verify(client, app, poll["poll_id"], cin, birth)
    # An option of another question, a missing answer.
    wrong = cast(client, poll, {f"q-{poll['yesno']}": poll["days"][0]})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "This answer is not one of the options" in body
    assert "Choose an answer" in body
    # Ids past PostgreSQL's integer range, text, two answers to one question.
    for value in ("2147483648", "99999999999999999999", "abc", ""):
        response = cast(client, poll, answers(poll, value, poll["days"][0]))
        assert response.status_code == 400, value
    two = cast(
        client,
        poll,
        {
            f"q-{poll['yesno']}": [poll["yes"], poll["no"]],
            f"q-{poll['choice']}": "blank",
        },
    )
    assert two.status_code == 400
    with app.app_context():
        assert _count(PollMark) == 0 and _count(PollHeldBallot) == 0
    # The resident can still vote after the errors; the choice was kept on the page.
    assert cast(client, poll, answers(poll, poll["yes"], "blank")).status_code == 302


def test_ids_past_the_integer_range_are_not_found(client, poll):
    big = 2**31
    for url in (
        f"/polls/{big}",
        f"/polls/{big}/vote",
        f"/polls/{big}/ballot",
        f"/polls/{big}/results",
        f"/polls/{big}/record.json",
        f"/polls/{2**70}",
    ):
        assert client.get(url).status_code == 404, url


def test_results_are_sealed_until_close_then_counted_signed_and_verifiable(
    app, client, committed, poll, runner, tmp_path
):
    votes = [
        (poll["yes"], poll["days"][0]),
        (poll["yes"], poll["days"][2]),
        (poll["no"], "blank"),
    ]
    for i, ((cin, birth), (yesno, day)) in enumerate(
        zip(poll["residents"], votes, strict=True)
    ):
        resident = app.test_client()
        verify(resident, app, poll["poll_id"], cin, birth, phone=f"+21261234560{i}")
        assert cast(resident, poll, answers(poll, yesno, day)).status_code == 302
    sealed = client.get(f"/polls/{poll['poll_id']}/results")
    assert sealed.status_code == 404
    assert "sealed until the poll closes" in sealed.get_data(as_text=True)
    assert client.get(f"/polls/{poll['poll_id']}/record.json").status_code == 404
    # The period ends; the worker's safety net counts and publishes.
    _close_now(committed, poll["poll_id"])
    from jobs.polls import safety_net

    with app.app_context():
        assert "published" in safety_net()
        assert _count(PollResult) == 1
        fingerprint = sealing.fingerprint(
            db.session.get(PollKey, poll["poll_id"]).signing_public
        )
    page = client.get(f"/polls/{poll['poll_id']}/results")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "3 ballots counted" in text
    record = client.get(f"/polls/{poll['poll_id']}/record.json")
    document = record.get_json()
    payload = json.loads(document["signed_results"]["payload"])
    yesno = next(q for q in payload["questions"] if q["id"] == poll["yesno"])
    assert [o["votes"] for o in yesno["options"]] == [2, 1] and yesno["blank"] == 0
    day = next(q for q in payload["questions"] if q["id"] == poll["choice"])
    assert [o["votes"] for o in day["options"]] == [1, 0, 1] and day["blank"] == 1
    # The opened ballots carry no receipt; every check passes.
    assert all(set(b) == {"index", "answers"} for b in document["ballots"])
    checks = verify_document(document, fingerprint)
    assert all(c.ok for c in checks), [c.line() for c in checks]
    path = tmp_path / "record.json"
    path.write_bytes(record.data)
    result = runner.invoke(args=["verify-poll", str(path), "--key", fingerprint])
    assert result.exit_code == 0 and "RESULT: OK" in result.output
    # A changed count, a changed ballot or another key fail.
    yesno["options"][1]["votes"] = 2
    forged = dict(document)
    forged["signed_results"] = dict(document["signed_results"])
    forged["signed_results"]["payload"] = json.dumps(payload)
    assert not all(c.ok for c in verify_document(forged, fingerprint))
    swapped = json.loads(record.data)
    swapped["ballots"][0]["answers"] = None
    assert not all(c.ok for c in verify_document(swapped, fingerprint))
    assert not verify_document(document, "0" * 32)[0].ok
    # Counting again publishes nothing new.
    with app.app_context():
        assert "no poll to count" in safety_net()


def test_staff_build_open_and_close_a_poll_with_confirmations(
    app, client, committed, commune, registry
):
    from tests.factories import create_staff
    from tests.helpers import login_staff

    with committed():
        _admin, secret = create_staff(commune["id"], "pollster", ["admin"])
        _clerk, clerk_secret = create_staff(commune["id"], "clerkpoll", ["clerk"])
    clerk = app.test_client()
    login_staff(clerk, "clerkpoll", clerk_secret)
    assert clerk.get("/staff/polls").status_code == 403
    login_staff(client, "pollster", secret)
    fields = {
        "p-title_ar": "استطلاع",
        "p-title_fr": "Sondage",
        "p-registry_cycle_id": registry["cycle_id"],
        "p-opens_at": "2031-05-01T09:00",
        "p-closes_at": "2031-04-01T09:00",
        "action": "poll",
    }
    bad = submit(client, "/staff/polls/new", fields)
    assert bad.status_code == 200
    assert "The poll must close after it opens" in bad.get_data(as_text=True)
    fields["p-closes_at"] = "2031-05-08T20:00"
    for registry_id in ("abc", str(2**31), str(2**70)):  # not a registry: refused
        wrong = submit(
            client, "/staff/polls/new", {**fields, "p-registry_cycle_id": registry_id}
        )
        assert wrong.status_code == 200, registry_id
        assert 'aria-invalid="true"' in wrong.get_data(as_text=True) or (
            "Choose the voter registry" in wrong.get_data(as_text=True)
        )
    made = submit(client, "/staff/polls/new", fields)
    assert made.status_code == 302
    url = made.headers["Location"]
    with app.app_context():
        poll = db.session.scalars(select(Poll)).one()
        poll_id = poll.id
        # Ouazzane time (UTC+1) stored as UTC.
        assert poll.opens_at_dt.hour == 8
    # Opening without a question is refused.
    refused = submit(client, f"/staff/polls/{poll_id}/open", {}, follow_redirects=True)
    assert "Add at least one question" in refused.get_data(as_text=True)
    question = {
        "action": "question",
        "q-kind": "choice",
        "q-text_ar": "أي مكان؟",
        "q-text_fr": "Quel lieu ?",
        "q-options": "الساحة | La place",
    }
    one_option = submit(client, url, question)
    assert "Give between 2 and" in one_option.get_data(as_text=True)
    question["q-options"] = "الساحة | La place\nالسوق | Le marché"
    assert submit(client, url, question).status_code == 302
    yesno = {
        "action": "question",
        "q-kind": "yesno",
        "q-text_ar": "هل؟",
        "q-text_fr": "Oui ?",
    }
    assert submit(client, url, yesno).status_code == 302
    confirm = client.get(f"/staff/polls/{poll_id}/open")
    assert confirm.status_code == 200 and "Open this poll?" in confirm.get_data(
        as_text=True
    )
    assert client.post(f"/staff/polls/{poll_id}/open").status_code == 400  # no CSRF
    assert submit(client, f"/staff/polls/{poll_id}/open", {}).status_code == 302
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        assert poll.status == "open" and len(poll.questions) == 2
        assert [o.text_fr for o in poll.questions[1].options] == ["Oui", "Non"]
        assert db.session.get(PollKey, poll_id) is not None
    # Once open, the questions no longer change.
    locked = submit(client, url, yesno, follow_redirects=True)
    assert "can no longer change" in locked.get_data(as_text=True)
    assert "Close this poll now?" in client.get(
        f"/staff/polls/{poll_id}/close"
    ).get_data(as_text=True)
    assert submit(client, f"/staff/polls/{poll_id}/close", {}).status_code == 302
    run_jobs(app, "tally")
    with app.app_context():
        assert db.session.get(Poll, poll_id).status == "published"
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"polls.save", "polls.question", "polls.open", "polls.close"} <= actions
    assert client.get(f"/polls/{poll_id}/results").status_code == 200
    assert client.get(f"/staff/polls/{2**31}").status_code == 404


def test_a_broken_chain_publishes_nothing_and_is_not_retried_every_beat(
    app, client, committed, poll
):
    from jobs.polls import count_due, safety_net

    cin, birth = poll["residents"][0]
    verify(client, app, poll["poll_id"], cin, birth)
    assert cast(client, poll, answers(poll, poll["yes"], "blank")).status_code == 302
    with committed():
        ballot = db.session.scalars(select(PollBallot)).one()
        ballot.sealed = ballot.sealed[:-1] + bytes([ballot.sealed[-1] ^ 1])
    _close_now(committed, poll["poll_id"])
    with app.app_context():
        assert "failed" in safety_net()
        assert "no poll to count" in safety_net()  # not retried at every beat
        row = db.session.get(Poll, poll["poll_id"])
        assert "breaks at position 1" in row.count_error
        assert _count(PollResult) == 0
        failures = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "polls.count_failed")
        ).all()
        assert len(failures) == 1
        assert "failed" in count_due(retry=True)  # by hand, once the cause is found
    assert client.get(f"/polls/{poll['poll_id']}/results").status_code == 404


def test_verify_poll_says_why_a_file_cannot_be_read(runner, tmp_path):
    for name, text in (
        ("garbage.json", "not json"),
        ("budget.json", json.dumps({"format": "pbvote-ballot-record/3"})),
        (
            "shapeless.json",
            json.dumps(
                {
                    "format": "pbvote-poll-record/1",
                    "signed_results": {
                        "payload": json.dumps(
                            {"format": "pbvote-poll-results/1", "questions": 3}
                        ),
                        "signature": "00",
                    },
                    "public_keys": {"signing_ed25519": "00" * 32},
                    "chain": [],
                    "ballots": [],
                }
            ),
        ),
    ):
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(args=["verify-poll", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert "FAIL cannot read" in result.output


def test_the_api_shows_no_choice_until_the_results_are_published(
    app, client, committed, poll
):
    cin, birth = poll["residents"][0]
    verify(client, app, poll["poll_id"], cin, birth)
    assert cast(client, poll, answers(poll, poll["no"], "blank")).status_code == 302
    before = client.get(f"/api/v1/polls/{poll['poll_id']}").get_json()
    assert before["state"] == "voting" and before["results"] is None
    assert before["ballot_box"]["voted"] == 1 and before["ballot_box"]["ballots"] == 1
    _close_now(committed, poll["poll_id"])
    from jobs.polls import safety_net

    with app.app_context():
        safety_net()
    after = client.get(f"/api/v1/polls/{poll['poll_id']}").get_json()
    assert after["state"] == "published"
    question = after["results"]["payload"]["questions"][0]
    assert [o["votes"] for o in question["options"]] == [0, 1]
    listed = client.get("/api/v1/polls").get_json()["items"]
    assert [item["id"] for item in listed] == [poll["poll_id"]]
    missing = client.get("/api/v1/polls/999")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert (
        "/api/v1/polls/{poll_id}"
        in client.get("/api/v1/openapi.json").get_json()["paths"]
    )


def test_a_poll_verification_ends_an_earlier_budget_claim(
    app, committed, commune, monkeypatch
):
    """The budget vote's right code is a claim on its attempt; verifying the same
    resident for a poll of that registry elsewhere ends it (as a renewed
    verification ends an earlier session's token), and the poll's verification
    opens the budget ballot in its own browser."""
    from tests.voting.factories import create_voting_cycle
    from tests.voting.helpers import verify as verify_budget

    monkeypatch.setitem(app.config, "OTP_RESEND_COOLDOWN_SECONDS", 0)
    with committed():
        election = create_voting_cycle(commune)
        poll = create_open_poll(commune, election, start=-timedelta(hours=1))
    cycle_id = election["cycle_id"]
    cin, birth = election["residents"][0]
    budget = app.test_client()
    verify_budget(budget, app, cycle_id, cin, birth, phone="+212612345601")
    assert budget.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 200
    other = app.test_client()
    verify(other, app, poll["poll_id"], cin, birth, phone="+212612345602")
    assert budget.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 302
    assert other.get(f"/cycles/{cycle_id}/vote/ballot").status_code == 200
