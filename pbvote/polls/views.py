"""Polls for residents: the poll page, verification (the budget vote's: ID
number, date of birth, SMS code), the secret ballot, the receipt, and the
published results with the public record. Staff pages: :mod:`.staff`."""

import json
from types import SimpleNamespace

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import pbvote.polls.api
import pbvote.polls.staff  # noqa: F401 - its routes join bp
from pbvote.accounts.errors import AccountError, CodeRejected
from pbvote.accounts.phones import masked, normalise_mobile
from pbvote.accounts.views import client_ip
from pbvote.communes.services import current_commune
from pbvote.core.nav import add_nav
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.polls import services
from pbvote.polls.errors import InvalidBallot, PollClosed
from pbvote.polls.models import PollResult
from pbvote.polls.web import bp, poll_state, public_poll_or_404, set_poll_state
from pbvote.voting import reports, verification
from pbvote.voting.errors import AlreadyVoted, NotVerified, VotingError
from pbvote.voting.forms import VerifyForm, VoteCodeForm
from pbvote.voting.web import vote_state

add_nav("polls.index", _l("Polls"), order=58)
TOKENS = "vote_tokens"  # the budget vote's session key: one verification serves both


def _token(poll):
    return vote_state(TOKENS, poll.registry_cycle_id)


def _set_token(poll, token) -> None:
    from flask import session

    values = dict(session.get(TOKENS, {}))
    values[str(poll.registry_cycle_id)] = token
    session[TOKENS] = values


def _message(poll, message: str, status: int):
    return render_template("polls/message.html", poll=poll, message=message), status


def _open_poll(poll_id: int):
    """(poll, now, None) while it accepts votes, else (poll, now, the 409 page)."""
    poll, now = public_poll_or_404(poll_id), utcnow()
    try:
        services.require_open(poll, now)
    except PollClosed as error:
        return poll, now, _message(poll, str(error), 409)
    return poll, now, None


@bp.route("/polls")
def index():
    commune = current_commune()
    return render_template(
        "polls/index.html",
        current=services.open_polls(commune.id, utcnow()),
        published=services.published_polls(commune.id),
        now=utcnow(),
    )


@bp.route("/polls/<int:poll_id>")
def poll_page(poll_id: int):
    poll = public_poll_or_404(poll_id)
    typed = request.args.get("receipt", "")
    found = services.find_receipt(poll, typed) if typed else None
    return render_template(
        "polls/poll.html",
        poll=poll,
        phase=poll.phase(utcnow()),
        box=services.ballot_box(poll),
        fingerprint=services.key_fingerprint(poll),
        typed=typed,
        found=found,
        # A receipt not found leads somewhere: the citizen office, as on the ballot box.
        office=reports.office_text(poll.registry_cycle) if typed and not found else "",
    )


@bp.route("/polls/<int:poll_id>/vote", methods=["GET", "POST"])
def vote_start(poll_id: int):
    poll, now, closed = _open_poll(poll_id)
    if closed:
        return closed
    if verification.verification_for(poll.registry_cycle, _token(poll)):
        return redirect(url_for(".ballot", poll_id=poll.id))
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            phone = normalise_mobile(form.phone.data)
            attempt = verification.request_vote_code(
                poll.registry_cycle,
                form.cin.data,
                form.birth_date.day,
                phone,
                client_ip(),
                now,
                check_phase=False,
            )
        except (AccountError, VotingError) as error:
            db.session.rollback()
            form.phone.errors.append(str(error))
        else:
            db.session.commit()
            set_poll_state("poll_attempt", poll.id, attempt.id)
            set_poll_state("poll_phone", poll.id, masked(phone))
            return redirect(url_for(".vote_code", poll_id=poll.id))
    return render_template("polls/verify.html", poll=poll, form=form)


@bp.route("/polls/<int:poll_id>/vote/code", methods=["GET", "POST"])
def vote_code(poll_id: int):
    poll, now, closed = _open_poll(poll_id)
    if closed:
        return closed
    attempt_id = poll_state("poll_attempt", poll.id)
    if attempt_id is None:
        return redirect(url_for(".vote_start", poll_id=poll.id))
    form = VoteCodeForm()
    if form.validate_on_submit():
        try:
            token = verification.confirm_vote_code(
                poll.registry_cycle, attempt_id, form.code.data, now, check_phase=False
            )
        except CodeRejected as error:
            db.session.commit()  # keep the count of wrong tries
            form.code.errors.append(str(error))
        except VotingError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            set_poll_state("poll_attempt", poll.id, None)
            _set_token(poll, token)
            return redirect(url_for(".ballot", poll_id=poll.id))
    return render_template(
        "polls/code.html", poll=poll, form=form, phone=poll_state("poll_phone", poll.id)
    )


def _render_ballot(poll, chosen=None, problems=None, status=200):
    from pbvote.core.forms import ConfirmForm

    return render_template(
        "polls/ballot.html",
        poll=poll,
        chosen=chosen or {},
        problems=problems or {},
        blank=services.BLANK,
        form=ConfirmForm(),
    ), status


@bp.route("/polls/<int:poll_id>/ballot", methods=["GET", "POST"])
def ballot(poll_id: int):
    """GET: the ballot, one fieldset per question. POST: cast it."""
    from pbvote.core.forms import ConfirmForm

    poll = public_poll_or_404(poll_id)
    now = utcnow()
    try:
        services.require_open(poll, now)
        current = services.voter(poll, _token(poll))
        if services.has_voted(poll, current.registry_entry_id):
            raise AlreadyVoted(services.already_voted_message())
        if request.method == "GET":
            return _render_ballot(poll)
        if not ConfirmForm().validate_on_submit():
            flash(_("The form expired. Please send it again."), "warning")
            return _render_ballot(poll, request.form.to_dict(), status=400)
        receipt = services.cast(poll, _token(poll), request.form, now)
    except PollClosed as error:
        db.session.rollback()
        return _message(poll, str(error), 409)
    except NotVerified as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".vote_start", poll_id=poll.id))
    except AlreadyVoted as error:
        db.session.rollback()
        return _message(poll, str(error), 409)
    except InvalidBallot as error:
        db.session.rollback()
        return _render_ballot(poll, request.form.to_dict(), error.problems, 400)
    db.session.commit()
    set_poll_state("poll_receipts", poll.id, receipt)
    return redirect(url_for(".done", poll_id=poll.id))


@bp.route("/polls/<int:poll_id>/done")
def done(poll_id: int):
    poll = public_poll_or_404(poll_id)
    receipt = poll_state("poll_receipts", poll.id)
    if receipt is None:
        return redirect(url_for(".poll_page", poll_id=poll.id))
    from pbvote.voting.services import short_receipt

    return render_template(
        "polls/done.html",
        poll=poll,
        receipt=receipt,
        short=short_receipt(receipt),
        where=services.find_receipt(poll, receipt),
        fingerprint=services.key_fingerprint(poll),
    )


def _published(poll_id: int):
    """(poll, its published result), or (poll, the "sealed" page) before."""
    poll = public_poll_or_404(poll_id)
    if poll.status == "published":
        result = db.session.get(PollResult, poll.id)
        if result is not None:
            return poll, result
    return poll, _message(
        poll, _("The results are sealed until the poll closes and its count ends."), 404
    )


@bp.route("/polls/<int:poll_id>/results")
def results(poll_id: int):
    poll, result = _published(poll_id)
    if not isinstance(result, PollResult):
        return result
    payload = json.loads(result.payload)
    # Attributes, so that the templates' localized() picks the reader's language.
    questions = [
        SimpleNamespace(
            **{**q, "options": [SimpleNamespace(**o) for o in q["options"]]}
        )
        for q in payload["questions"]
    ]
    return render_template(
        "polls/results.html",
        poll=poll,
        result=result,
        payload=payload,
        questions=questions,
        fingerprint=services.key_fingerprint(poll),
    )


@bp.route("/polls/<int:poll_id>/record.json")
def record(poll_id: int):
    poll, result = _published(poll_id)
    if not isinstance(result, PollResult):
        return result
    return Response(
        result.record,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="poll-{poll.id}-record.json"'
        },
    )
