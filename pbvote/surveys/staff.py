"""Staff pages: build a survey, open it for a period, read all results (with the
free-text answers) and publish the aggregate results."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, committed, saved
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import commune_zone, utcnow
from pbvote.extensions import db
from pbvote.surveys import answering, ready, services
from pbvote.surveys.errors import SurveyError
from pbvote.surveys.forms import QuestionForm, SurveyForm, parse_options
from pbvote.surveys.models import Survey, SurveyQuestion
from pbvote.surveys.web import bp

EDITORS = ("admin", "clerk")
add_staff_link("surveys.staff_index", _l("Surveys"), *EDITORS)


def _local(moment):
    return moment.astimezone(commune_zone()) if moment else None


def _aware(value):
    return value.replace(tzinfo=commune_zone()) if value else None


@bp.route("/staff/surveys")
@staff_required(*EDITORS)
def staff_index():
    page = paginate(
        select(Survey)
        .where(Survey.commune_id == current_commune().id)
        .order_by(Survey.created_at_dt.desc(), Survey.id.desc())
    )
    return render_template(
        "surveys/staff_index.html", page=page, now=utcnow(), form=ConfirmForm()
    )


@bp.route("/staff/surveys/ready-made", methods=["POST"])
@staff_required(*EDITORS)
def staff_ready_made():
    ConfirmForm().validate_on_submit() or abort(400)
    survey = ready.ensure_satisfaction_survey(
        current_user, current_commune().id, utcnow()
    )
    db.session.commit()
    flash(_("The satisfaction survey is ready: set its period to open it."), "success")
    return redirect(url_for(".staff_survey", survey_id=survey.id))


def _survey_input(form: SurveyForm) -> services.SurveyInput:
    return services.SurveyInput(
        title_ar=form.title_ar.data or "",
        title_fr=form.title_fr.data or "",
        intro_ar=form.intro_ar.data or "",
        intro_fr=form.intro_fr.data or "",
        audience=form.audience.data,
        opens_at_dt=_aware(form.opens_at.data),
        closes_at_dt=_aware(form.closes_at.data),
    )


def _question_input(form: QuestionForm) -> services.QuestionInput:
    return services.QuestionInput(
        kind=form.kind.data,
        text_ar=form.text_ar.data or "",
        text_fr=form.text_fr.data or "",
        required=form.required.data,
        options=parse_options(form.options.data),
    )


@bp.route("/staff/surveys/new", methods=["GET", "POST"])
@bp.route("/staff/surveys/<int:survey_id>", methods=["GET", "POST"])
@staff_required(*EDITORS)
def staff_survey(survey_id: int | None = None):
    survey = row_or_404(Survey, survey_id) if survey_id is not None else None
    survey_form = SurveyForm(prefix="s", obj=survey)
    if survey is not None and request.method == "GET":
        survey_form.opens_at.data = _local(survey.opens_at_dt)
        survey_form.closes_at.data = _local(survey.closes_at_dt)
    question_form = QuestionForm(prefix="q")
    action = request.form.get("action")
    form = question_form if action == "question" and survey else survey_form

    def save():
        nonlocal survey
        now = utcnow()
        if form is question_form:
            services.add_question(
                current_user, survey, _question_input(question_form), now
            )
        else:
            survey = services.save_survey(
                current_user, survey, _survey_input(survey_form), now
            )

    if saved(form, save, SurveyError, _("Saved.")):
        return redirect(url_for(".staff_survey", survey_id=survey.id))
    return render_template(
        "surveys/staff_survey.html",
        survey=survey,
        survey_form=survey_form,
        question_form=question_form,
        answers=services.response_count(survey) if survey else 0,
        confirm=ConfirmForm(),
    )


@bp.route("/staff/surveys/questions/<int:question_id>/remove", methods=["POST"])
@staff_required(*EDITORS)
def staff_remove_question(question_id: int):
    question = row_or_404(SurveyQuestion, question_id, lambda q: q.survey.commune_id)
    ConfirmForm().validate_on_submit() or abort(400)
    survey_id = question.survey_id
    committed(
        lambda: services.remove_question(current_user, question, utcnow()),
        SurveyError,
        _("Question removed."),
    )
    return redirect(url_for(".staff_survey", survey_id=survey_id))


@bp.route("/staff/surveys/<int:survey_id>/results", methods=["GET", "POST"])
@staff_required(*EDITORS)
def staff_results(survey_id: int):
    survey = row_or_404(Survey, survey_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.publish_results(current_user, survey, utcnow())
        db.session.commit()
        flash(_("The results are public."), "success")
        return redirect(url_for(".staff_results", survey_id=survey.id))
    total, rows = answering.results(survey, with_texts=True)
    return render_template(
        "surveys/results.html",
        survey=survey,
        total=total,
        rows=rows,
        staff=True,
        form=form,
    )
