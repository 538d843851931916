"""Demo surveys: the ready-made satisfaction survey, open for a month, already
answered by a few residents (the first demo resident has not answered yet)."""

from datetime import timedelta

from pbvote.surveys import answering
from pbvote.surveys.ready import ensure_satisfaction_survey

DEMO_ANSWERS = (("5", "4", "0", "مزيد من الاجتماعات"), ("3", "2", "1", ""))


def seed(ctx) -> None:
    now, admin = ctx["now"], ctx["staff"]["admin"]
    survey = ensure_satisfaction_survey(admin, ctx["commune"].id, now)
    survey.opens_at_dt = now - timedelta(days=2)
    survey.closes_at_dt = now + timedelta(days=30)
    ids = [q.id for q in survey.questions]
    for resident, values in zip(ctx["residents"][2:], DEMO_ANSWERS, strict=False):
        raw = {qid: [value] for qid, value in zip(ids, values, strict=True)}
        answering.submit_response(
            survey, answering.Respondent(resident), raw, now - timedelta(days=1)
        )
    ctx["lines"].append(f"Surveys: the satisfaction survey at /surveys/{survey.id}")
