"""Issue 15's 'done when', on PostgreSQL: in the demo a petition collected its
signatures, was filed and decided; an information request was answered within its
deadline; a complaint was answered and rated; all are in the public registers and
in the indicators."""

from pbvote.communes.services import current_commune
from pbvote.complaints import services as complaints
from pbvote.core.time import utcnow
from pbvote.inforequests import services as inforequests
from pbvote.petitions import services as petitions


def test_the_demo_shows_all_three_channels_working(app, client, seeded_demo):
    lines = seeded_demo
    assert any(line.startswith("Petitions:") for line in lines)

    register = client.get("/petitions").get_data(as_text=True)
    assert "Decided by the council" in register and "Collecting signatures" in register
    decided = client.get("/api/v1/petitions").get_json()["items"]
    done = next(p for p in decided if p["status"] == "decided")
    assert done["signatures"] >= done["threshold"] == 200
    assert [e["status"] for e in done["history"]] == [
        "collecting",
        "filed",
        "admissible",
        "on_agenda",
        "decided",
    ]

    requests = client.get("/api/v1/information-requests").get_json()["items"]
    answered = next(r for r in requests if r["status"] == "answered")
    assert answered["closed_at"][:10] <= answered["due_on"]
    assert "Answered" in client.get("/information").get_data(as_text=True)

    rated = [
        c
        for c in client.get("/complaints.json").get_json()["complaints"]
        if c["rating"]
    ]
    assert rated and rated[0]["status"] == "closed" and rated[0]["answer"]

    with app.test_request_context():
        commune_id = current_commune().id
        now = utcnow()
        assert petitions.indicators(commune_id)["decided"] == 1
        assert petitions.indicators(commune_id)["filed_by_associations"] == 1
        info = inforequests.indicators(commune_id)
        assert info["received"] == 4 and info["answered"] == 1
        assert info["on_time_rate"] == 1.0
        counts = complaints.indicators(commune_id, now=now)
        assert counts["average_rating"] == 4 and counts["overdue"] == 1
