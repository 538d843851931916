"""Answering surveys and their public results. Staff pages: :mod:`.staff`."""

import secrets

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import pbvote.surveys.staff  # noqa: F401 - its routes join bp
from pbvote.accounts.views import client_ip
from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.forms import ConfirmForm
from pbvote.core.nav import add_nav
from pbvote.core.ratelimit import RateLimited
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.surveys import answering, services
from pbvote.surveys.errors import AlreadyAnswered, InvalidAnswers, SurveyError
from pbvote.surveys.forms import read_answers
from pbvote.surveys.models import Survey
from pbvote.surveys.web import bp

add_nav("surveys.index", _l("Surveys"), order=57)

COOKIE = "pbvote_respondent"
COOKIE_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days


def _resident():
    if current_user.is_authenticated and current_user.kind == "resident":
        return current_user
    return None


@bp.route("/surveys")
def index():
    commune, now = current_commune(), utcnow()
    return render_template(
        "surveys/index.html",
        open_surveys=services.open_surveys(commune.id, now),
        published=services.published_surveys(commune.id),
    )


def _render_form(survey, typed=None, problems=None, status=200):
    now = utcnow()
    answered = answering.find_response(survey, _resident(), request.cookies.get(COOKIE))
    return render_template(
        "surveys/answer.html",
        survey=survey,
        is_open=survey.is_open(now),
        answered=answered is not None,
        needs_sign_in=survey.audience == "residents" and _resident() is None,
        typed=typed or {},
        problems=problems or {},
        form=ConfirmForm(),
    ), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
def answer(survey_id: int):
    survey = row_or_404(Survey, survey_id)
    if request.method == "GET":
        return _render_form(survey)
    ConfirmForm().validate_on_submit() or abort(400)
    raw = read_answers(survey, request.form)
    token = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
    who = answering.Respondent(_resident(), token, client_ip())
    try:
        answering.submit_response(survey, who, raw, utcnow())
    except InvalidAnswers as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_form(survey, raw, error.problems, 400)
    except AlreadyAnswered as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".answer", survey_id=survey.id))
    except RateLimited:
        db.session.rollback()
        flash(_("Too many answers from your connection: try later."), "error")
        return _render_form(survey, raw, None, 429)
    except SurveyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_form(survey, raw, None, 400)
    db.session.commit()
    flash(_("Thank you: your answer is recorded."), "success")
    response = make_response(redirect(url_for(".answer", survey_id=survey.id)))
    if who.user is None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.route("/surveys/<int:survey_id>/results")
def results(survey_id: int):
    survey = row_or_404(Survey, survey_id)
    if survey.results_published_at_dt is None:
        abort(404)
    total, rows = answering.results(survey, with_texts=False)
    return render_template(
        "surveys/results.html", survey=survey, total=total, rows=rows, staff=False
    )
