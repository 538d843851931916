"""Staff pages (administrators): build a poll, open it (its key is made), close
it (its count runs in a job). Every change is audited; opening and closing ask
for confirmation first."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, choices_of, committed, saved
from pbvote.core.i18n import localized
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import commune_zone, utcnow
from pbvote.polls import services
from pbvote.polls.errors import PollError
from pbvote.polls.forms import PollForm, QuestionForm
from pbvote.polls.models import Poll, PollQuestion
from pbvote.polls.web import bp
from pbvote.surveys.forms import parse_options

ROLES = ("admin",)
add_staff_link("polls.staff_index", _l("Polls"), *ROLES)


def _local(moment):
    return moment.astimezone(commune_zone()).replace(tzinfo=None) if moment else None


def _aware(value):
    return value.replace(tzinfo=commune_zone()) if value else None


@bp.route("/staff/polls")
@staff_required(*ROLES)
def staff_index():
    page = paginate(
        select(Poll)
        .where(Poll.commune_id == current_commune().id)
        .order_by(Poll.created_at_dt.desc(), Poll.id.desc())
    )
    return render_template("polls/staff_index.html", page=page, now=utcnow())


def _poll_input(form: PollForm) -> services.PollInput:
    return services.PollInput(
        title_ar=form.title_ar.data or "",
        title_fr=form.title_fr.data or "",
        intro_ar=form.intro_ar.data or "",
        intro_fr=form.intro_fr.data or "",
        registry_cycle_id=form.registry_cycle_id.data,
        opens_at_dt=_aware(form.opens_at.data),
        closes_at_dt=_aware(form.closes_at.data),
    )


@bp.route("/staff/polls/new", methods=["GET", "POST"])
@bp.route("/staff/polls/<int:poll_id>", methods=["GET", "POST"])
@staff_required(*ROLES)
def staff_poll(poll_id: int | None = None):
    commune = current_commune()
    poll = row_or_404(Poll, poll_id) if poll_id is not None else None
    poll_form = PollForm(prefix="p", obj=poll)
    poll_form.registry_cycle_id.choices = choices_of(
        {
            c.id: localized(c, "title") or str(c.year)
            for c in services.registry_cycles(commune.id)
        }
    )
    if poll is not None and request.method == "GET":
        poll_form.opens_at.data = _local(poll.opens_at_dt)
        poll_form.closes_at.data = _local(poll.closes_at_dt)
    question_form = QuestionForm(prefix="q")
    action = request.form.get("action")
    form = question_form if action == "question" and poll else poll_form

    def save():
        nonlocal poll
        now = utcnow()
        if form is question_form:
            services.add_question(
                current_user,
                poll,
                question_form.kind.data,
                question_form.text_ar.data or "",
                question_form.text_fr.data or "",
                parse_options(question_form.options.data),
                now,
            )
        else:
            poll = services.save_poll(
                current_user, commune.id, poll, _poll_input(poll_form), now
            )

    if saved(form, save, PollError, _("Saved.")):
        return redirect(url_for(".staff_poll", poll_id=poll.id))
    return render_template(
        "polls/staff_poll.html",
        poll=poll,
        poll_form=poll_form,
        question_form=question_form,
        confirm=ConfirmForm(),
        now=utcnow(),
        box=services.ballot_box(poll) if poll else None,
    )


@bp.route("/staff/polls/questions/<int:question_id>/remove", methods=["POST"])
@staff_required(*ROLES)
def staff_remove_question(question_id: int):
    question = row_or_404(PollQuestion, question_id, lambda q: q.poll.commune_id)
    ConfirmForm().validate_on_submit() or abort(400)
    poll_id = question.poll_id
    committed(
        lambda: services.remove_question(current_user, question, utcnow()),
        PollError,
        _("Question removed."),
    )
    return redirect(url_for(".staff_poll", poll_id=poll_id))


def _confirmed_action(poll, action, done_message, **page):
    form = ConfirmForm()
    if form.validate_on_submit():
        committed(lambda: action(current_user, poll, utcnow()), PollError, done_message)
        return redirect(url_for(".staff_poll", poll_id=poll.id))
    return render_template(
        "confirm.html",
        form=form,
        cancel_url=url_for(".staff_poll", poll_id=poll.id),
        **page,
    )


@bp.route("/staff/polls/<int:poll_id>/open", methods=["GET", "POST"])
@staff_required(*ROLES)
def staff_open(poll_id: int):
    poll = row_or_404(Poll, poll_id)
    return _confirmed_action(
        poll,
        services.open_poll,
        _("The poll is open: residents can vote during its period."),
        danger=False,
        title=_("Open this poll?"),
        message=_(
            "Its election key is made now. Once open, its questions and dates "
            "can no longer change; residents vote from %(start)s to %(end)s.",
            start=_local(poll.opens_at_dt).strftime("%Y-%m-%d %H:%M"),
            end=_local(poll.closes_at_dt).strftime("%Y-%m-%d %H:%M"),
        ),
        confirm_label=_("Open the poll"),
    )


@bp.route("/staff/polls/<int:poll_id>/close", methods=["GET", "POST"])
@staff_required(*ROLES)
def staff_close(poll_id: int):
    poll = row_or_404(Poll, poll_id)
    return _confirmed_action(
        poll,
        services.close_poll,
        _("The poll is closed: its count runs now and publishes the results."),
        title=_("Close this poll now?"),
        message=_(
            "No vote will be accepted any more, even before its planned end. "
            "The count then opens the ballots and publishes the results. "
            "This cannot be undone."
        ),
        confirm_label=_("Close the poll"),
    )
