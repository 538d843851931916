"""Surveys through the HTTP client: building one, one answer per resident (also
from two tabs at once), anonymous answers limited by a cookie and by address, a
missing required answer keeps what was typed, aggregate results and free texts."""

import threading

from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.surveys.models import Survey, SurveyAnswer, SurveyResponse
from tests.factories import create_resident
from tests.helpers import csrf_token, login_resident, login_staff, submit
from tests.surveys.factories import setup_survey

PHONE = "+212612000301"


def answers_for(q, single="0", multiple=("0", "1"), scale="4", text="Plus de bus"):
    return {
        f"q-{q[0]}": single,
        f"q-{q[1]}": list(multiple),
        f"q-{q[2]}": scale,
        f"q-{q[3]}": text,
    }


def response_count(app, survey_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(SurveyResponse.survey_id == survey_id)
        )


def resident(app, committed, commune, phone=PHONE):
    with committed():
        create_resident(commune["id"], phone=phone)
    client = app.test_client()
    login_resident(client, app, phone)
    return client


def test_staff_build_a_survey_with_each_kind_of_question(
    client, app, committed, commune
):
    with committed():
        data = setup_survey(commune)
    login_staff(client, "amina", data["secret"])
    response = submit(
        client,
        "/staff/surveys/new",
        {
            "action": "survey",
            "s-title_ar": "استبيان الحدائق",
            "s-title_fr": "Enquête jardins",
            "s-audience": "everyone",
            "s-opens_at": "2027-03-01T09:00",
            "s-closes_at": "2027-03-31T18:00",
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    bad = submit(
        client,
        url,
        {
            "action": "question",
            "q-kind": "single",
            "q-text_ar": "هل تزور الحديقة؟",
            "q-text_fr": "Visitez-vous le jardin ?",
            "q-options": "نعم | Oui\nلا",
        },
    )
    page = bad.get_data(as_text=True)
    assert "Write each choice as: Arabic | French, one per line." in page
    assert "Visitez-vous le jardin ?" in page
    good = submit(
        client,
        url,
        {
            "action": "question",
            "q-kind": "single",
            "q-text_ar": "هل تزور الحديقة؟",
            "q-text_fr": "Visitez-vous le jardin ?",
            "q-required": "y",
            "q-options": "نعم | Oui\nلا | Non",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        survey = db.session.scalar(
            select(Survey).where(Survey.title_fr == "Enquête jardins")
        )
        [question] = survey.questions
        assert question.options == [
            {"ar": "نعم", "fr": "Oui"},
            {"ar": "لا", "fr": "Non"},
        ]
        assert question.required and survey.audience == "everyone"


def test_resident_answers_once_and_a_second_answer_is_refused(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    url = f"/surveys/{data['survey_id']}"
    token = csrf_token(client, url)  # the form is gone once answered
    assert submit(client, url, answers_for(data["questions"])).status_code == 302
    payload = {"csrf_token": token, **answers_for(data["questions"], single="1")}
    second = client.post(url, data=payload)
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "You have already answered this survey." in page
    assert response_count(app, data["survey_id"]) == 1


def test_two_tabs_answering_at_once_make_one_response(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    url = f"/surveys/{data['survey_id']}"
    token = csrf_token(client, url)
    barrier, codes = threading.Barrier(4), []

    def go():
        barrier.wait()
        payload = {"csrf_token": token, **answers_for(data["questions"])}
        codes.append(client.post(url, data=payload).status_code)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [302] * 4
    assert response_count(app, data["survey_id"]) == 1


def test_missing_required_answer_keeps_what_was_typed(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    q = data["questions"]
    typed = answers_for(q, text="Un arrêt près du souk, svp")
    del typed[f"q-{q[2]}"]  # the required scale question
    response = submit(client, f"/surveys/{data['survey_id']}", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Some answers are missing" in page
    assert "This question needs an answer." in page
    assert "Question 3 (scale)" in page.split("error-summary")[1].split("</div>")[0]
    assert "Un arrêt près du souk, svp" in page
    assert f'name="q-{q[0]}" value="0" checked' in page
    assert response_count(app, data["survey_id"]) == 0


def test_bad_values_nul_bytes_and_huge_ids_get_clear_errors(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    q, url = data["questions"], f"/surveys/{data['survey_id']}"
    response = submit(client, url, answers_for(q, single=str(2**40), scale="9"))
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("Choose from the list.") >= 2
    response = submit(client, url, answers_for(q, text="a\x00b"))
    assert response.status_code == 400
    assert "a character that cannot be accepted" in response.get_data(as_text=True)
    assert response_count(app, data["survey_id"]) == 0
    assert client.get(f"/surveys/{2**31}").status_code == 404
    assert client.get(f"/surveys/{2**31}/results").status_code == 404


def test_residents_only_survey_refuses_anonymous_answers(
    client, app, committed, commune
):
    with committed():
        data = setup_survey(commune)
    url = f"/surveys/{data['survey_id']}"
    assert "Sign in with your phone number" in client.get(url).get_data(as_text=True)
    # A crafted POST (the page shows no form) is refused too.
    response = submit(client, url, answers_for(data["questions"]), form_url="/login")
    assert "Sign in with your phone number to answer." in response.get_data(
        as_text=True
    )
    assert response_count(app, data["survey_id"]) == 0


def test_anonymous_answers_limited_by_cookie_and_by_address(
    client, app, committed, commune
):
    with committed():
        data = setup_survey(commune, audience="everyone")
    url, q = f"/surveys/{data['survey_id']}", data["questions"]
    token = csrf_token(client, url)  # the form is gone once answered
    assert submit(client, url, answers_for(q)).status_code == 302
    # The same browser again: its cookie says it answered.
    again = client.post(url, data={"csrf_token": token, **answers_for(q)})
    assert again.status_code == 302
    assert "already answered" in client.get(url).get_data(as_text=True)
    assert response_count(app, data["survey_id"]) == 1
    # Clearing cookies lets a browser answer again, up to the address's limit.
    for _ in range(19):
        fresh = app.test_client()
        assert submit(fresh, url, answers_for(q)).status_code == 302
    refused = submit(app.test_client(), url, answers_for(q))
    assert refused.status_code == 429
    assert "Too many answers" in refused.get_data(as_text=True)
    assert response_count(app, data["survey_id"]) == 20


def test_closed_survey_refuses_answers(app, committed, commune):
    with committed():
        data = setup_survey(commune, open_=False)
    client = resident(app, committed, commune)
    response = submit(
        client, f"/surveys/{data['survey_id']}", answers_for(data["questions"])
    )
    assert "This survey is not open for answers." in response.get_data(as_text=True)
    assert response_count(app, data["survey_id"]) == 0


def test_results_are_aggregate_public_once_published_free_text_staff_only(
    client, app, committed, commune
):
    with committed():
        data = setup_survey(commune)
    q = data["questions"]
    for n, (single, scale) in enumerate([("0", "5"), ("0", "4"), ("1", "3")]):
        other = resident(app, committed, commune, phone=f"+21261200040{n}")
        submit(
            other,
            f"/surveys/{data['survey_id']}",
            answers_for(q, single=single, scale=scale, text=f"Idée secrète {n}"),
        )
    results_url = f"/surveys/{data['survey_id']}/results"
    assert client.get(results_url).status_code == 404
    login_staff(client, "amina", data["secret"])
    staff_url = f"/staff/surveys/{data['survey_id']}/results"
    staff_page = client.get(staff_url).get_data(as_text=True)
    assert "Idée secrète 1" in staff_page and "3 people answered." in staff_page
    assert submit(client, staff_url, {}).status_code == 302
    public = app.test_client().get(results_url).get_data(as_text=True)
    assert "3 people answered." in public
    assert "2 (<bdi>67%</bdi>)" in public and "1 (<bdi>33%</bdi>)" in public
    assert "average 4 out of 5" in public
    assert "<svg" in public and 'width="66.7"' in public
    assert "Idée secrète" not in public


def test_questions_cannot_change_after_the_first_answer(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    submit(client, f"/surveys/{data['survey_id']}", answers_for(data["questions"]))
    staff = app.test_client()
    login_staff(staff, "amina", data["secret"])
    url = f"/staff/surveys/questions/{data['questions'][0]}/remove"
    response = submit(staff, url, {}, form_url=f"/staff/surveys/{data['survey_id']}")
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Questions cannot change once someone has answered." in page
    with app.app_context():
        assert len(db.session.get(Survey, data["survey_id"]).questions) == 4
        assert (
            db.session.scalar(select(func.count(SurveyAnswer.id))) == 5
        )  # 1 + 2 choices + 1 + 1 text


def test_ready_made_satisfaction_survey(client, app, committed, commune):
    with committed():
        data = setup_survey(commune)
    login_staff(client, "amina", data["secret"])
    response = submit(
        client, "/staff/surveys/ready-made", {}, form_url="/staff/surveys"
    )
    assert response.status_code == 302
    submit(client, "/staff/surveys/ready-made", {}, form_url="/staff/surveys")
    with app.app_context():
        [survey] = db.session.scalars(
            select(Survey).where(Survey.key == "satisfaction")
        ).all()
        kinds = [q.kind for q in survey.questions]
        assert kinds == ["scale", "scale", "single", "text"]
        assert survey.audience == "residents" and not survey.is_open(
            survey.created_at_dt
        )


def test_staff_pages_need_an_editor(app, committed, commune):
    with committed():
        data = setup_survey(commune)
    client = resident(app, committed, commune)
    assert client.get("/staff/surveys").status_code == 403
    assert client.get(f"/staff/surveys/{data['survey_id']}/results").status_code == 403
