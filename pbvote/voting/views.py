"""Voting pages: verify (ID + date of birth + SMS code, or a kiosk code), choose,
review, cast, receipts; the public ballot box. Staff pages are in staff_views."""

from types import MappingProxyType
from typing import NamedTuple

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError

import pbvote.voting.api
import pbvote.voting.report_views
import pbvote.voting.staff_views  # noqa: F401 - its routes join bp
from pbvote.accounts.errors import AccountError, CodeRejected
from pbvote.accounts.phones import masked, normalise_mobile
from pbvote.accounts.views import client_ip
from pbvote.core.i18n import current_language
from pbvote.core.nav import add_cycle_link
from pbvote.core.processcache import ProcessCache
from pbvote.core.time import utcnow
from pbvote.cycles.errors import CycleError
from pbvote.cycles.services import phase_at
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.voting import pages, rules, services, verification
from pbvote.voting.errors import (
    AlreadyVoted,
    NotVerified,
    PhoneLimitReached,
    VerificationExpired,
    VotingError,
)
from pbvote.voting.forms import (
    KioskCodeForm,
    ProfileForm,
    VerifyForm,
    VoteCodeForm,
    kept_field,
)
from pbvote.voting.markup import ballot_pieces, gauge, piece
from pbvote.voting.web import (
    CLAIM,
    ballot_voter,
    bp,
    session_voter,
    verified_voter,
    vote_state,
)

add_cycle_link("voting.vote_start", _l("Vote now"), phases=("voting",), primary=True)
add_cycle_link(
    "voting.ballot_box",
    _l("Public ballot box"),
    phases=("voting", "tally", "execution", "evaluation", "closed"),
)


# Per-cycle voting state in the (signed) session cookie: opaque values only.


def _set_state(name: str, cycle_id: int, value) -> None:
    values = dict(session.get(name, {}))
    if value is None:
        values.pop(str(cycle_id), None)
    else:
        values[str(cycle_id)] = value
    session[name] = values


def _closed_page(cycle, error):
    return render_template("voting/closed.html", cycle=cycle, message=str(error)), 409


@bp.route("/cycles/<int:cycle_id>/vote", methods=["GET", "POST"])
def vote_start(cycle_id: int):
    cycle = cycle_or_404(cycle_id, cached=True)
    now = utcnow()
    if phase_at(cycle, now) != "voting":
        return _closed_page(cycle, _("Voting is not open for this cycle."))
    current = verified_voter(cycle)
    if current is not None:
        return redirect(url_for(".ballot", cycle_id=cycle.id))
    if pages.may_keep():  # the empty form, the same for every resident
        return pages.empty_form_page(
            "verify", cycle.id, lambda: _verify_page(cycle, VerifyForm())
        )
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            phone = normalise_mobile(form.phone.data)
            attempt = verification.request_vote_code(
                cycle, form.cin.data, form.birth_date.day, phone, client_ip(), now
            )
        except (AccountError, VotingError, CycleError) as error:
            db.session.rollback()
            form.phone.errors.append(str(error))
        else:
            attempt_id = attempt.id  # read before the commit expires it
            db.session.commit()
            _set_state("vote_attempt", cycle_id, attempt_id)
            _set_state(CLAIM, cycle_id, None)
            session["vote_phone_masked"] = masked(phone)
            return redirect(url_for(".vote_code", cycle_id=cycle_id))
    return _verify_page(cycle, form)


def _verify_page(cycle, form) -> str:
    return render_template(
        "voting/verify.html", cycle=cycle, form=form, kept_field=kept_field
    )


@bp.route("/cycles/<int:cycle_id>/vote/code", methods=["GET", "POST"])
def vote_code(cycle_id: int):
    cycle = cycle_or_404(cycle_id, cached=True)
    attempt_id = vote_state("vote_attempt", cycle.id)
    if attempt_id is None:
        return redirect(url_for(".vote_start", cycle_id=cycle.id))
    phone = session.get("vote_phone_masked", "")
    if pages.may_keep():  # the empty form: only the phone is the resident's
        return pages.empty_form_page(
            "code",
            cycle.id,
            lambda: _code_page(cycle, VoteCodeForm(), pages.PHONE_MARK),
            phone=phone,
        )
    form = VoteCodeForm()
    if form.validate_on_submit():
        try:
            claim = verification.check_vote_code(
                cycle, attempt_id, form.code.data, utcnow()
            )
        except CodeRejected as error:
            db.session.commit()  # keep the count of wrong tries
            form.code.errors.append(str(error))
        except (VotingError, CycleError) as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            # A right code writes nothing: the session holds the claim, and the
            # cast consumes the code in the vote's transaction. The rollback ends
            # the code's row lock (the cycle is not read again).
            db.session.rollback()
            _set_state("vote_attempt", cycle_id, None)
            _set_state(CLAIM, cycle_id, claim)
            return redirect(url_for(".ballot", cycle_id=cycle_id))
    return _code_page(cycle, form, phone)


def _code_page(cycle, form, phone: str) -> str:
    return render_template(
        "voting/code.html", cycle=cycle, form=form, kept_field=kept_field, phone=phone
    )


class BallotItem(NamedTuple):
    """One scope of a resident's ballot as the pages show it (read-only, shared)."""

    scope: object
    name: str
    projects: tuple
    blank_allowed: bool
    minimum: int | None


class BallotPage(NamedTuple):
    """A district's ballot as its pages and checks read it, in one language."""

    ballot: rules.Ballot
    items: tuple[BallotItem, ...]
    scopes: tuple
    scope_ids: tuple[int, ...]
    projects_by_scope: MappingProxyType


# The ballot's items depend only on the ballot and the language: built once per
# district and language while the ballot is cached (the same rows watched, emptied
# with it by a commit that changes them), never per request (issue 13). Nothing
# about a resident is in them.
_PAGES = ProcessCache("ballot-pages", rules.BALLOT_ROWS)


def _ballot_page(cycle, district_id) -> BallotPage:
    return _PAGES.get(
        (cycle.id, district_id, current_language().code),
        lambda: _build_page(rules.district_ballot(cycle, district_id)),
    )


def _build_page(ballot) -> BallotPage:
    items = tuple(
        BallotItem(
            scope=scope,
            name=rules.scope_name(scope),
            projects=projects,
            blank_allowed=rules.blank_allowed(scope),
            minimum=rules.minimum_cost(scope, projects)
            if scope.ballot_rule == "approval_min_share"
            else None,
        )
        for scope, projects in ballot
    )
    return BallotPage(
        ballot=ballot,
        items=items,
        scopes=tuple(scope for scope, _projects in ballot),
        scope_ids=tuple(scope.id for scope, _projects in ballot),
        projects_by_scope=MappingProxyType(
            {scope.id: projects for scope, projects in ballot}
        ),
    )


def _verify_again(cycle_id, error):
    """Back to the start with the reason; the session's claim is dropped."""
    _set_state(CLAIM, cycle_id, None)
    flash(str(error), "warning")
    return redirect(url_for(".vote_start", cycle_id=cycle_id))


def _pieces(cycle, page: BallotPage) -> dict:
    """The ballot's markup kept per process (pbvote.voting.markup), for a template."""
    return {
        "pieces": ballot_pieces(cycle.id, page.scope_ids),
        "piece": piece,
        "gauge": gauge,
    }


def _render_ballot(cycle, page: BallotPage, chosen, error=None, status=200):
    return render_template(
        "voting/ballot.html",
        cycle=cycle,
        ballots=page.items,
        chosen=chosen,
        error=error,
        **_pieces(cycle, page),
    ), status


@bp.route("/cycles/<int:cycle_id>/vote/ballot", methods=["GET", "POST"])
def ballot(cycle_id: int):
    """GET: the ballot. POST: the server checks the choice and shows it for review
    (or shows the ballot again with the choice kept, to change it)."""
    cycle = cycle_or_404(cycle_id, cached=True)
    if phase_at(cycle, utcnow()) != "voting":
        return _closed_page(cycle, _("Voting is not open for this cycle."))
    try:
        # The review (a POST from the ballot the GET showed after checking the
        # claim in the database) reads the claim's district from the session;
        # the cast checks the claim again.
        voter = (
            ballot_voter(cycle) if request.method == "POST" else session_voter(cycle)
        )
    except VerificationExpired as error:
        return _verify_again(cycle.id, error)
    if voter is None:
        flash(_("Verify your identity first."), "warning")
        return redirect(url_for(".vote_start", cycle_id=cycle.id))
    if voter.voted:
        return render_template(
            "voting/already_voted.html",
            cycle=cycle,
            message=services.already_voted_message(),
        ), 409
    page = _ballot_page(cycle, voter.district_id)
    if request.method == "GET":
        if pages.may_keep():  # the empty ballot, the same across the district
            return pages.empty_ballot_page(
                cycle.id,
                voter.district_id,
                lambda: _render_ballot(cycle, page, {})[0],
            )
        return _render_ballot(cycle, page, {})
    try:
        choices = rules.parse_form(request.form, page.scopes)
    except VotingError as error:
        return _render_ballot(cycle, page, {}, str(error), 400)
    if request.form.get("step") == "edit":
        return _render_ballot(cycle, page, choices)
    try:
        rules.check_ballot(page.scopes, choices, page.projects_by_scope)
    except VotingError as error:
        return _render_ballot(cycle, page, choices, str(error), 400)
    return render_template(
        "voting/review.html",
        cycle=cycle,
        ballots=page.items,
        chosen=choices,
        **_pieces(cycle, page),
    )


@bp.route("/cycles/<int:cycle_id>/vote/cast", methods=["POST"])
def cast(cycle_id: int):
    cycle = cycle_or_404(cycle_id, cached=True)
    try:
        return _cast(cycle)
    except DBAPIError as error:
        if not error.connection_invalidated and not isinstance(error, OperationalError):
            raise
        db.session.rollback()
    # The database connection dropped (a restart) inside the cast or its commit:
    # once more on a fresh connection. A commit that reached the database before
    # the drop left the vote recorded: the second try finds it and says so.
    try:
        return _cast(cycle, retried=True)
    except DBAPIError:
        db.session.rollback()
        return _cast_unknown(cycle)


def _cast_unknown(cycle):
    """503 that says whether the vote was recorded, when the database can say."""
    try:
        current = verified_voter(cycle)
        recorded = bool(current and current.voted)
        db.session.rollback()
    except DBAPIError:
        db.session.rollback()
        recorded = None
    return render_template(
        "voting/unavailable.html", cycle=cycle, recorded=recorded
    ), 503


def _cast(cycle, retried=False):
    try:
        receipts, token = services.cast_ballots(
            cycle,
            vote_state("vote_tokens", cycle.id),
            vote_state(CLAIM, cycle.id),
            request.form,
            utcnow(),
        )
    except AlreadyVoted as error:
        db.session.rollback()
        if retried:  # by the first try, whose answer the drop lost
            return render_template(
                "voting/unavailable.html", cycle=cycle, recorded=True
            ), 503
        return render_template(
            "voting/already_voted.html", cycle=cycle, message=str(error)
        ), 409
    except (VerificationExpired, PhoneLimitReached) as error:
        db.session.rollback()  # nothing recorded; another number, or verify again
        return _verify_again(cycle.id, error)
    except NotVerified as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".vote_start", cycle_id=cycle.id))
    except CycleError as error:
        db.session.rollback()
        return _closed_page(cycle, error)
    except VotingError as error:
        db.session.rollback()
        voter = verified_voter(cycle)
        if voter is None:
            return redirect(url_for(".vote_start", cycle_id=cycle.id))
        return _render_ballot(
            cycle, _ballot_page(cycle, voter.district_id), {}, str(error), 400
        )
    shown = [
        [rules.scope_name(scope), services.short_receipt(receipt), receipt]
        for scope, receipt in receipts
    ]
    cycle_id = cycle.id
    db.session.commit()
    _set_state("vote_receipts", cycle_id, shown)
    _set_state(CLAIM, cycle_id, None)  # used: the token's verification now proves
    kiosk = vote_state("vote_kiosk", cycle_id, False)
    # At the kiosk, the next resident uses this browser: no token kept.
    _set_state("vote_tokens", cycle_id, None if kiosk else token)
    return redirect(url_for(".vote_done", cycle_id=cycle_id))


@bp.route("/cycles/<int:cycle_id>/vote/done")
def vote_done(cycle_id: int):
    """The receipts and, once mixed, their place in the chain; a voter who comes
    back without them (a lost answer, a restart) is told the vote is recorded."""
    cycle = cycle_or_404(cycle_id, cached=True)
    receipts = vote_state("vote_receipts", cycle.id) or []
    current = verified_voter(cycle)
    if not receipts and not (current and current.voted):
        return redirect(url_for(".vote_start", cycle_id=cycle.id))
    return render_template(
        "voting/done.html",
        cycle=cycle,
        receipts=receipts,
        places={
            full: services.receipt_status(cycle, full) for _n, _s, full in receipts
        },
        kiosk=vote_state("vote_kiosk", cycle.id, False),
        can_profile=current is not None,
    )


@bp.route("/cycles/<int:cycle_id>/vote/finish", methods=["POST"])
def vote_finish(cycle_id: int):
    """Forget this cycle's voting state in this browser (the kiosk's "finish")."""
    cycle = cycle_or_404(cycle_id)
    kiosk = vote_state("vote_kiosk", cycle.id, False)
    for name in ("vote_tokens", "vote_receipts", "vote_attempt", "vote_kiosk", CLAIM):
        _set_state(name, cycle.id, None)
    if kiosk:
        return redirect(url_for(".kiosk", cycle_id=cycle.id))
    return redirect(url_for(".ballot_box", cycle_id=cycle.id))


@bp.route("/cycles/<int:cycle_id>/vote/profile", methods=["GET", "POST"])
def vote_profile(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.save_profile(
                cycle,
                verified_voter(cycle),
                consent=form.consent.data,
                age_band=form.age_band.data,
                gender=form.gender.data,
                disability=form.disability.data,
                now=utcnow(),
            )
        except VotingError as error:
            db.session.rollback()
            form.consent.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("Thank you. Your answers were saved apart from your vote."), "success"
            )
            return redirect(url_for(".vote_done", cycle_id=cycle.id))
    return render_template("voting/profile.html", cycle=cycle, form=form)


@bp.route("/cycles/<int:cycle_id>/kiosk", methods=["GET", "POST"])
def kiosk(cycle_id: int):
    """The citizen office's kiosk: a code from the clerk opens one ballot."""
    cycle = cycle_or_404(cycle_id)
    form = KioskCodeForm()
    if form.validate_on_submit():
        try:
            token = verification.claim_kiosk_pass(
                cycle, form.code.data, client_ip(), utcnow()
            )
        except (VotingError, CycleError) as error:
            db.session.commit()  # wrong tries count towards the limit
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            for name in ("vote_receipts", "vote_attempt", CLAIM):
                _set_state(name, cycle.id, None)
            _set_state("vote_tokens", cycle.id, token)
            _set_state("vote_kiosk", cycle.id, True)
            return redirect(url_for(".ballot", cycle_id=cycle.id))
    return render_template("voting/kiosk.html", cycle=cycle, form=form)


@bp.route("/cycles/<int:cycle_id>/ballot-box")
def ballot_box(cycle_id: int):
    """Public, no sign-in: how many ballots, the chain's head, and a receipt check."""
    cycle = cycle_or_404(cycle_id)
    box = services.ballot_box(cycle)
    typed = request.args.get("receipt", "").strip()[:100]
    found = services.find_receipt(cycle, typed) if typed else None
    return render_template(
        "voting/ballot_box.html",
        cycle=cycle,
        box=box,
        typed=typed,
        found=found,
        short_receipt=services.short_receipt,
        fingerprint=services.key_fingerprint(box["key"].signing_public)
        if box["key"]
        else None,
        phase=phase_at(cycle, utcnow()),
    )
