"""Review by advisory bodies: assignment, the reviewer's rules, publishing, the SMS
to each author (after commit, by a real RQ worker), projects, and the vote's gate."""

import html

from sqlalchemy import select

from pbvote.audit.models import AuditEntry
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import phase_at
from pbvote.extensions import db
from pbvote.proposals.models import Project, Proposal, Support
from pbvote.reviews.bodies import ensure_bodies
from pbvote.reviews.models import AdvisoryBody, BodyMember, Review
from pbvote.sms.models import SmsMessage
from tests.factories import create_resident, create_staff
from tests.helpers import login_staff, outbox, run_jobs, submit
from tests.proposals.factories import create_proposal, setup_cycle

AUTHOR = "+212612000001"
REVIEWER_PHONE = "+212612000077"
ANSWER = "Merci pour votre proposition, elle a été étudiée par l'instance."
REASONS = "La parcelle appartient au domaine de l'État et non à la commune."


def seed(committed, commune, phase="review", reviewer_phone=None):
    """A cycle in ``phase`` with bodies, an admin, a reviewer in the neighbourhoods
    council (the catch-all) and two submitted proposals by one author."""
    with committed():
        setup = setup_cycle(commune, phase=phase)
        ensure_bodies(commune["id"])
        _admin, admin_secret = create_staff(commune["id"], "amina", ["admin"])
        reviewer, reviewer_secret = create_staff(commune["id"], "youssef", ["reviewer"])
        body = db.session.scalar(
            select(AdvisoryBody).where(AdvisoryBody.key == "neighbourhoods")
        )
        body.members.append(
            BodyMember(user_id=reviewer.id, resident_phone=reviewer_phone)
        )
        author = create_resident(commune["id"], phone=AUTHOR)
        first = create_proposal(
            setup,
            author.id,
            title="Éclairage de la rue Rmel",
            scope_id=setup["district_scopes"][2],
        )
        second = create_proposal(setup, author.id, title="Éclairage rue Rmel (bis)")
        sport = create_proposal(
            setup, author.id, title="Terrain de sport", category="sports"
        )
        return {
            **setup,
            "admin": admin_secret,
            "reviewer": reviewer_secret,
            "first": first.id,
            "second": second.id,
            "sport": sport.id,
            "body_id": body.id,
        }


def assign_all(client, data):
    login_staff(client, "amina", data["admin"])
    url = f"/staff/cycles/{data['cycle_id']}/reviews"
    return submit(
        client, f"{url}/assign-rules", {}, form_url=url, follow_redirects=True
    )


def review_id(app, proposal_id):
    with app.app_context():
        return db.session.scalar(
            select(Review.id).where(Review.proposal_id == proposal_id)
        )


def feasible(cost="150 000", **changes):
    data = {
        "competent": "yes",
        "technical_ok": "yes",
        "legal_ok": "yes",
        "official_cost": cost,
        "decision": "feasible",
        "answer": ANSWER,
        "reasons": "",
        "merged_into_id": "",
        "project_title_ar": "إنارة زنقة الرمل",
        "project_title_fr": "Éclairage de la rue Rmel",
    }
    data.update(changes)
    return data


def test_rules_assign_by_category_and_by_hand(client, app, committed, commune):
    data = seed(committed, commune)
    page = assign_all(client, data).get_data(as_text=True)
    assert "3 proposals assigned by category and district." in page
    with app.app_context():
        bodies = {r.proposal_id: r.body.key for r in db.session.scalars(select(Review))}
        sports_id = db.session.scalar(
            select(AdvisoryBody.id).where(AdvisoryBody.key == "sports")
        )
    assert bodies == {
        data["first"]: "neighbourhoods",
        data["second"]: "neighbourhoods",
        data["sport"]: "sports",
    }
    url = f"/staff/cycles/{data['cycle_id']}/reviews"
    response = submit(
        client,
        f"/staff/proposals/{data['first']}/assign",
        {"body_id": str(sports_id)},
        form_url=url,
    )
    assert response.status_code == 302
    with app.app_context():
        review = db.session.scalar(
            select(Review).where(Review.proposal_id == data["first"])
        )
        assert review.body.key == "sports" and review.assigned_by == "hand"


def test_not_feasible_needs_reasons_and_feasible_needs_a_cost(
    client, app, committed, commune
):
    data = seed(committed, commune)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    url = f"/staff/reviews/{review_id(app, data['first'])}"
    text = submit(
        reviewer, url, feasible(decision="not_feasible", legal_ok="no")
    ).get_data(as_text=True)
    assert "Give the reasons (at least 20 characters)" in text
    assert ANSWER.replace("'", "&#39;") in text  # what was typed is kept
    text = submit(reviewer, url, feasible(cost="")).get_data(as_text=True)
    assert "Give the official cost estimate in dirhams." in text
    text = submit(reviewer, url, feasible(legal_ok="no")).get_data(as_text=True)
    assert "A feasible proposal must be within the commune" in text
    text = submit(reviewer, url, feasible(answer="ok")).get_data(as_text=True)
    assert "Write the answer to the author" in text
    text = submit(reviewer, url, feasible(cost="90 000 000")).get_data(as_text=True)
    assert "is more than the whole budget of its scope" in text
    text = submit(reviewer, url, feasible(competent="")).get_data(as_text=True)
    assert "Answer the three questions" in text
    response = submit(
        reviewer, url, feasible(decision="not_feasible", legal_ok="no", reasons=REASONS)
    )
    assert response.status_code == 302
    with app.app_context():
        review = db.session.get(Review, review_id(app, data["first"]))
        assert review.decision == "not_feasible" and review.reasons == REASONS
        assert review.published_at_dt is None


def test_reviewer_outside_the_body_is_refused(client, app, committed, commune):
    data = seed(committed, commune)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    url = f"/staff/reviews/{review_id(app, data['sport'])}"
    text = submit(reviewer, url, feasible()).get_data(as_text=True)
    assert "Only members of the" in text


def test_reviewer_cannot_review_what_they_wrote_or_support(
    client, app, committed, commune
):
    data = seed(committed, commune, reviewer_phone=AUTHOR)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    url = f"/staff/reviews/{review_id(app, data['first'])}"
    warning = reviewer.get(url).get_data(as_text=True)
    assert "You wrote this proposal, so you cannot review it." in warning
    text = submit(reviewer, url, feasible()).get_data(as_text=True)
    assert "You wrote this proposal, so you cannot review it." in text
    with committed():
        member = db.session.scalar(select(BodyMember))
        member.resident_phone = REVIEWER_PHONE
        supporter = create_resident(commune["id"], phone=REVIEWER_PHONE)
        db.session.add(
            Support(
                proposal_id=data["first"], user_id=supporter.id, created_at_dt=utcnow()
            )
        )
    text = submit(reviewer, url, feasible()).get_data(as_text=True)
    assert "You support this proposal, so you cannot review it." in text
    with app.app_context():
        assert db.session.get(Review, review_id(app, data["first"])).decision is None


def test_merge_into_another_proposal(client, app, committed, commune):
    data = seed(committed, commune)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    url = f"/staff/reviews/{review_id(app, data['second'])}"
    merge = feasible(decision="merged", merged_into_id=str(data["second"]))
    text = submit(reviewer, url, merge).get_data(as_text=True)
    assert "A proposal cannot be merged into itself." in text
    text = submit(reviewer, url, feasible(decision="merged")).get_data(as_text=True)
    assert "Choose the proposal of this cycle it merges into." in text
    assert (
        submit(
            reviewer,
            url,
            feasible(decision="merged", merged_into_id=str(data["first"])),
        ).status_code
        == 302
    )
    assert (
        submit(
            reviewer, f"/staff/reviews/{review_id(app, data['first'])}", feasible()
        ).status_code
        == 302
    )
    publish = f"/staff/cycles/{data['cycle_id']}/reviews/publish"
    assert submit(client, publish, {}).status_code == 302
    page = client.get(f"/proposals/{data['second']}").get_data(as_text=True)
    assert "Merged into another proposal" in page
    assert f'href="/proposals/{data["first"]}"' in page
    with app.app_context():
        assert db.session.get(Proposal, data["second"]).status == "merged"
        assert db.session.scalar(select(Project.proposal_id)) == data["first"]


def test_publishing_makes_projects_and_texts_each_author_after_commit(
    client, app, committed, commune
):
    data = seed(committed, commune)
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    assert (
        submit(
            reviewer, f"/staff/reviews/{review_id(app, data['first'])}", feasible()
        ).status_code
        == 302
    )
    assert (
        submit(
            reviewer,
            f"/staff/reviews/{review_id(app, data['second'])}",
            feasible(decision="not_feasible", legal_ok="no", reasons=REASONS),
        ).status_code
        == 302
    )
    # Recording is not publishing: nothing is public nor sent yet.
    assert ANSWER.replace("'", "&#39;") not in client.get(
        f"/proposals/{data['first']}"
    ).get_data(as_text=True)
    run_jobs(app)
    assert outbox(app) == []
    publish = f"/staff/cycles/{data['cycle_id']}/reviews/publish"
    assert "Publish the recorded answers?" in client.get(publish).get_data(as_text=True)
    assert submit(client, publish, {}).status_code == 302
    with app.app_context():
        project = db.session.scalar(select(Project))
        assert (project.proposal_id, project.cost) == (data["first"], 150_000)
        assert project.title_ar == "إنارة زنقة الرمل"
        assert project.scope_id == data["district_scopes"][2]
        assert db.session.get(Proposal, data["second"]).status == "not_feasible"
        assert db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "review.publish")
        )
    run_jobs(app)  # notify_decision, then the SMS deliveries it queued
    messages = [m for m in outbox(app) if m["to"] == AUTHOR]
    assert len(messages) == 2
    # One language (the author's choice, Arabic by default), one SMS segment.
    assert any(
        f"your proposal {data['first']} has its answer" in m["body"]
        or f"مقترحك {data['first']}" in m["body"]
        for m in messages
    )
    # Running the notification again sends nothing twice (dedupe key).
    from jobs.proposals import notify_decision

    with app.app_context():
        notify_decision(data["first"])
    run_jobs(app)
    assert len([m for m in outbox(app) if m["to"] == AUTHOR]) == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(SmsMessage.status).where(
                    SmsMessage.dedupe_key == f"proposal-answer:{data['first']}"
                )
            )
            == "sent"
        )
    page = app.test_client().get(f"/proposals/{data['second']}").get_data(as_text=True)
    assert "Not feasible" in page and "appartient au domaine de l" in page
    # A published answer is final.
    text = submit(
        reviewer,
        f"/staff/reviews/{review_id(app, data['first'])}",
        feasible(cost="1000"),
    ).get_data(as_text=True)
    assert "This answer is published and can no longer be changed." in text


def test_voting_cannot_open_while_a_proposal_lacks_an_answer(
    client, app, committed, commune
):
    data = seed(committed, commune)
    assign_all(client, data)
    cycles = client.get("/staff/cycles").get_data(as_text=True)
    assert f"/staff/cycles/{data['cycle_id']}/reviews" in cycles
    assert f"/staff/cycles/{data['cycle_id']}/open-voting" in cycles
    panel = client.get(f"/staff/cycles/{data['cycle_id']}/reviews").get_data(
        as_text=True
    )
    assert "3 proposals still lack a published answer" in panel
    open_url = f"/staff/cycles/{data['cycle_id']}/open-voting"
    refused = client.get(open_url, follow_redirects=True).get_data(as_text=True)
    assert "Voting cannot open: 3 proposals still have no published answer." in refused
    forced = submit(
        client,
        open_url,
        {},
        form_url=f"/staff/cycles/{data['cycle_id']}/reviews",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Voting cannot open" in forced
    with app.app_context():
        assert phase_at(db.session.get(Cycle, data["cycle_id"]), utcnow()) == "review"
        from pbvote.reviews.errors import NotReadyForVoting
        from pbvote.reviews.services import check_ready_for_voting, unanswered_proposals

        cycle = db.session.get(Cycle, data["cycle_id"])
        assert [p.id for p in unanswered_proposals(cycle)] == [
            data["first"],
            data["second"],
            data["sport"],
        ]
        try:
            check_ready_for_voting(cycle)
        except NotReadyForVoting as error:
            assert len(error.unanswered) == 3
        else:
            raise AssertionError("voting should not be ready")


def test_voting_opens_once_every_proposal_is_answered(client, app, committed, commune):
    data = seed(committed, commune)
    with committed():
        sports = db.session.scalar(
            select(AdvisoryBody).where(AdvisoryBody.key == "sports")
        )
        reviewer = db.session.scalar(select(BodyMember)).user
        sports.members.append(BodyMember(user_id=reviewer.id))
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    for key in ("first", "second", "sport"):
        assert (
            submit(
                reviewer, f"/staff/reviews/{review_id(app, data[key])}", feasible()
            ).status_code
            == 302
        )
    submit(client, f"/staff/cycles/{data['cycle_id']}/reviews/publish", {})
    open_url = f"/staff/cycles/{data['cycle_id']}/open-voting"
    assert "Open voting now?" in client.get(open_url).get_data(as_text=True)
    assert submit(client, open_url, {}).status_code == 302
    with app.app_context():
        cycle = db.session.get(Cycle, data["cycle_id"])
        assert phase_at(cycle, utcnow()) == "voting"
        assert len(db.session.scalars(select(Project)).all()) == 3
        assert db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "cycle.open_voting")
        )


def test_staff_review_pages_need_the_right_role(client, app, committed, commune):
    data = seed(committed, commune)
    login_staff(client, "youssef", data["reviewer"])
    assert client.get("/staff/reviews").status_code == 200
    assert client.get(f"/staff/cycles/{data['cycle_id']}/reviews").status_code == 403
    open_url = f"/staff/cycles/{data['cycle_id']}/open-voting"
    assert client.get(open_url).status_code == 403
    assert client.get("/staff/bodies").status_code == 403


def test_bodies_are_data_with_members_and_rules(client, app, committed, commune):
    data = seed(committed, commune)
    login_staff(client, "amina", data["admin"])
    page = html.unescape(client.get("/staff/bodies").get_data(as_text=True))
    for name in ("Conseil des jeunes", "Conseil de l'enfant", "Conseil du sport"):
        assert name in page
    with app.app_context():
        youth = db.session.scalar(
            select(AdvisoryBody.id).where(AdvisoryBody.key == "youth")
        )
        reviewer_id = db.session.scalar(select(BodyMember.user_id))
    url = f"/staff/bodies/{youth}"
    bad = submit(
        client,
        url,
        {"action": "member", "user_id": str(reviewer_id), "resident_phone": "123"},
    )
    assert "This is not a phone number" in bad.get_data(as_text=True) or (
        "not a valid mobile number" in bad.get_data(as_text=True)
    )
    assert (
        submit(
            client,
            url,
            {
                "action": "member",
                "user_id": str(reviewer_id),
                "resident_phone": "0612000077",
            },
        ).status_code
        == 302
    )
    district = commune["district_ids"][0]
    assert (
        submit(
            client,
            url,
            {"action": "rule", "category_id": "", "district_id": str(district)},
        ).status_code
        == 302
    )
    with app.app_context():
        member = db.session.scalar(
            select(BodyMember).where(BodyMember.body_id == youth)
        )
        assert member.resident_phone == REVIEWER_PHONE


def test_bodies_may_start_early_but_answers_go_out_in_the_review_phase(
    client, app, committed, commune
):
    data = seed(committed, commune, phase="proposals")
    assign_all(client, data)
    reviewer = app.test_client()
    login_staff(reviewer, "youssef", data["reviewer"])
    assert (
        submit(
            reviewer, f"/staff/reviews/{review_id(app, data['second'])}", feasible()
        ).status_code
        == 302
    )
    publish = f"/staff/cycles/{data['cycle_id']}/reviews/publish"
    text = submit(client, publish, {}, follow_redirects=True).get_data(as_text=True)
    assert "This is not possible now" in text
    # The author changes the proposal: the body must look at it again.
    from pbvote.proposals.services import ProposalInput, save_proposal

    with committed():
        proposal = db.session.get(Proposal, data["second"])
        save_proposal(
            proposal.author,
            proposal.cycle,
            proposal,
            ProposalInput(
                title="Éclairage rue Rmel (bis), version 2",
                description=proposal.description,
                scope_id=proposal.scope_id,
                category_id=proposal.category_id,
                estimated_cost=90_000,
                beneficiaries=["everyone"],
            ),
            [],
            submit=False,
            now=utcnow(),
        )
    with app.app_context():
        assert db.session.get(Review, review_id(app, data["second"])).decision is None
