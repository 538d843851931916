"""Staff pages: advisory bodies, the reviewer's queue and form, the administrator's
panel of answers per cycle (assign, publish, open voting)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from pbvote.accounts.models import User
from pbvote.communes.services import active_districts, current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm, form_error
from pbvote.core.i18n import localized
from pbvote.core.nav import add_cycle_link, add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.cycles.errors import CycleError
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.proposals.models import Proposal
from pbvote.proposals.services import active_categories
from pbvote.reviews import bodies, services
from pbvote.reviews.errors import ReviewError
from pbvote.reviews.forms import AssignForm, MemberForm, ReviewForm, RuleForm
from pbvote.reviews.models import AdvisoryBody, AssignmentRule, BodyMember, Review

bp = Blueprint("reviews", __name__)

add_staff_link("reviews.reviewer_queue", _l("Proposals to review"), "reviewer", "admin")
add_staff_link("reviews.staff_bodies", _l("Advisory bodies"), "admin")
add_cycle_link(
    "reviews.cycle_reviews", _l("Review answers and readiness"), roles=("admin",)
)
add_cycle_link("reviews.open_voting", _l("Open voting"), roles=("admin",))


def _body_or_404(body_id: int) -> AdvisoryBody:
    return row_or_404(AdvisoryBody, body_id)


# Bodies ----------------------------------------------------------------------------


@bp.route("/staff/bodies")
@staff_required("admin")
def staff_bodies():
    commune = current_commune()
    return render_template(
        "reviews/bodies.html",
        bodies=bodies.bodies_of(commune.id),
        rules=bodies.rules_of(commune.id),
    )


def _member_form() -> MemberForm:
    form = MemberForm()
    reviewers = services.active_reviewers(current_commune().id)
    form.user_id.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(u.id, u.label) for u in reviewers
    ]
    return form


def _rule_form() -> RuleForm:
    form = RuleForm()
    commune = current_commune()
    form.category_id.choices = [SelectChoice("", _("Any category"))] + [
        SelectChoice(c.id, localized(c, "name")) for c in active_categories(commune.id)
    ]
    form.district_id.choices = [SelectChoice("", _("Any district"))] + [
        SelectChoice(d.id, localized(d, "name")) for d in active_districts(commune)
    ]
    return form


@bp.route("/staff/bodies/<int:body_id>", methods=["GET", "POST"])
@staff_required("admin")
def staff_body(body_id: int):
    body = _body_or_404(body_id)
    member_form, rule_form = _member_form(), _rule_form()
    action = request.form.get("action")
    form = member_form if action == "member" else rule_form
    if request.method == "POST" and form.validate_on_submit():
        try:
            if action == "member":
                bodies.add_member(
                    current_user,
                    body,
                    db.session.get(User, member_form.user_id.data or 0),
                    member_form.resident_phone.data,
                    utcnow(),
                )
            else:
                bodies.add_rule(
                    current_user,
                    body,
                    rule_form.category_id.data,
                    rule_form.district_id.data,
                    utcnow(),
                )
        except ReviewError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".staff_body", body_id=body.id))
    rules = [r for r in bodies.rules_of(body.commune_id) if r.body_id == body.id]
    return render_template(
        "reviews/body.html",
        body=body,
        member_form=member_form,
        rule_form=rule_form,
        rules=rules,
        remove_form=ConfirmForm(),
    )


@bp.route("/staff/bodies/members/<int:member_id>/remove", methods=["POST"])
@staff_required("admin")
def remove_member(member_id: int):
    member = row_or_404(BodyMember, member_id, lambda row: row.body.commune_id)
    ConfirmForm().validate_on_submit() or abort(400)
    body_id = member.body_id
    bodies.remove_member(current_user, member, utcnow())
    db.session.commit()
    flash(_("Member removed."), "success")
    return redirect(url_for(".staff_body", body_id=body_id))


@bp.route("/staff/bodies/rules/<int:rule_id>/remove", methods=["POST"])
@staff_required("admin")
def remove_rule(rule_id: int):
    rule = row_or_404(AssignmentRule, rule_id)
    ConfirmForm().validate_on_submit() or abort(400)
    body_id = rule.body_id
    bodies.remove_rule(current_user, rule, utcnow())
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(url_for(".staff_body", body_id=body_id))


# Reviewing ---------------------------------------------------------------------------


@bp.route("/staff/reviews")
@staff_required("reviewer", "admin")
def reviewer_queue():
    status = request.args.get("status", "todo")
    page = paginate(services.queue_for(current_user, status))
    return render_template("reviews/queue.html", page=page, status=status)


def _review_or_404(review_id: int) -> Review:
    return row_or_404(Review, review_id, lambda row: row.proposal.cycle.commune_id)


def _review_form(review: Review) -> ReviewForm:
    form = ReviewForm(obj=review if request.method == "GET" else None)
    others = services.merge_targets(review)
    form.merged_into_id.choices = [SelectChoice("", _("Not merged"))] + [
        SelectChoice(p.id, f"#{p.id} · {p.title}") for p in others
    ]
    return form


def _input(form: ReviewForm) -> services.ReviewInput:
    return services.ReviewInput(
        decision=form.decision.data,
        competent=form.competent.data,
        technical_ok=form.technical_ok.data,
        legal_ok=form.legal_ok.data,
        official_cost=form.official_cost.data,
        answer=form.answer.data or "",
        reasons=form.reasons.data or "",
        merged_into_id=form.merged_into_id.data,
        project_title_ar=form.project_title_ar.data or "",
        project_title_fr=form.project_title_fr.data or "",
    )


@bp.route("/staff/reviews/<int:review_id>", methods=["GET", "POST"])
@staff_required("reviewer", "admin")
def review_form(review_id: int):
    review = _review_or_404(review_id)
    form = _review_form(review)
    if form.validate_on_submit():
        try:
            services.record_review(current_user, review, _input(form), utcnow())
        except (ReviewError, CycleError) as error:
            db.session.rollback()
            form_error(form, error) if isinstance(error, ReviewError) else flash(
                str(error), "error"
            )
        else:
            db.session.commit()
            flash(
                _("Review recorded. An administrator publishes the answers."), "success"
            )
            return redirect(url_for(".reviewer_queue"))
    return render_template(
        "reviews/form.html",
        form=form,
        review=review,
        proposal=review.proposal,
        conflict=_conflict(current_user, review.proposal),
    )


def _conflict(user, proposal) -> str | None:
    """Said before the reviewer fills the form, not only when they send it."""
    try:
        services.check_no_conflict(user, proposal)
    except ReviewError as error:
        return str(error)
    return None


# The administrator's panel ---------------------------------------------------------


@bp.route("/staff/cycles/<int:cycle_id>/reviews")
@staff_required("admin")
def cycle_reviews(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    assign_form = AssignForm()
    assign_form.body_id.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(b.id, localized(b, "name"))
        for b in bodies.bodies_of(cycle.commune_id)
    ]
    return render_template(
        "reviews/cycle.html",
        cycle=cycle,
        counts=services.readiness(cycle, utcnow()),
        page=paginate(services.unanswered_query(cycle)),
        assign_form=assign_form,
        action_form=ConfirmForm(),
    )


@bp.route("/staff/cycles/<int:cycle_id>/reviews/assign-rules", methods=["POST"])
@staff_required("admin")
def assign_rules(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    ConfirmForm().validate_on_submit() or abort(400)
    count = services.assign_by_rules(current_user, cycle, utcnow())
    db.session.commit()
    flash(
        _("%(num)d proposals assigned by category and district.", num=count), "success"
    )
    return redirect(url_for(".cycle_reviews", cycle_id=cycle.id))


@bp.route("/staff/proposals/<int:proposal_id>/assign", methods=["POST"])
@staff_required("admin")
def assign(proposal_id: int):
    proposal = row_or_404(Proposal, proposal_id, lambda row: row.cycle.commune_id)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            services.assign_by_hand(
                current_user,
                proposal,
                db.session.get(AdvisoryBody, form.body_id.data or 0),
                utcnow(),
            )
        except ReviewError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Proposal assigned."), "success")
    return redirect(url_for(".cycle_reviews", cycle_id=proposal.cycle_id))


@bp.route("/staff/cycles/<int:cycle_id>/reviews/publish", methods=["GET", "POST"])
@staff_required("admin")
def publish(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = ConfirmForm()
    back = url_for(".cycle_reviews", cycle_id=cycle.id)
    if form.validate_on_submit():
        try:
            published = services.publish_decisions(current_user, cycle, utcnow())
        except (ReviewError, CycleError) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(num)d answers published; their authors are told by SMS.",
                    num=len(published),
                ),
                "success",
            )
        return redirect(back)
    return render_template(
        "confirm.html",
        form=form,
        danger=False,
        title=_("Publish the recorded answers?"),
        message=_(
            "Each author receives an SMS, the answers become public and "
            "feasible proposals become projects at their official cost. A "
            "published answer cannot be changed."
        ),
        confirm_label=_("Publish"),
        cancel_url=back,
    )


@bp.route("/staff/reviews/<int:review_id>/publish", methods=["POST"])
@staff_required("admin")
def publish_one(review_id: int):
    """Publish one recorded answer (from the staff home's work queue)."""
    review = _review_or_404(review_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        services.publish_decisions(
            current_user, review.proposal.cycle, utcnow(), [review.id]
        )
    except (ReviewError, CycleError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Answer published; its author is told by SMS."), "success")
    return redirect(url_for("pages.staff_home"))


@bp.route("/staff/cycles/<int:cycle_id>/open-voting", methods=["GET", "POST"])
@staff_required("admin")
def open_voting(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = ConfirmForm()
    back = url_for(".cycle_reviews", cycle_id=cycle.id)
    now = utcnow()
    if form.validate_on_submit():
        try:
            services.open_voting(current_user, cycle, now)
        except (ReviewError, CycleError) as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(back)
        db.session.commit()
        flash(_("Voting is open."), "success")
        return redirect(url_for("cycles.cycle_page", cycle_id=cycle.id))
    try:
        services.check_ready_for_voting(cycle)
    except ReviewError as error:
        flash(str(error), "error")
        return redirect(back)
    return render_template(
        "confirm.html",
        form=form,
        danger=False,
        title=_("Open voting now?"),
        message=_(
            "The voting phase starts now instead of on its planned date. "
            "Residents can vote at once."
        ),
        confirm_label=_("Open voting"),
        cancel_url=back,
    )
