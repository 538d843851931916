"""Proposals: the public list and page, writing one, supports and comments."""

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from pbvote.associations.services import approved_associations_of
from pbvote.communes.services import active_districts, current_commune
from pbvote.core.access import resident_required, staff_required
from pbvote.core.forms import ConfirmForm, choices_of, form_error
from pbvote.core.i18n import localized
from pbvote.core.nav import add_cycle_link, add_nav, add_staff_link
from pbvote.core.pagination import paginate, requested_page
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.cycles.services import current_cycle, phase_at
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.proposals import (
    api,
    conversations,
    exports,
    moderation,
    places,
    queries,
    services,
    social,
    uploads,
)
from pbvote.proposals.errors import NotAllowed, ProposalError
from pbvote.proposals.forms import (
    BENEFICIARY_LABELS,
    SORT_LABELS,
    STATUS_LABELS,
    CommentForm,
    FilterForm,
    ProposalForm,
)
from pbvote.proposals.models import PUBLIC_STATUSES, Attachment, Proposal
from pbvote.proposals.text import plain_excerpt, render_markdown
from pbvote.proposals.web import bp, comment_or_404

# Imported for the routes they add to bp (they take bp from web, never from here).
ROUTE_MODULES = (api, exports, moderation)

add_nav("proposals.proposals_home", _l("Proposals"), 20)
add_cycle_link("proposals.new_proposal", _l("Propose a project"), phases=("proposals",))
add_cycle_link(
    "proposals.proposal_list",
    _l("See the proposals"),
    phases=(
        "proposals",
        "review",
        "voting",
        "tally",
        "execution",
        "evaluation",
        "closed",
    ),
)
add_staff_link("proposals.staff_moderation", _l("Reported comments"), "admin")


@template_globals(bp)
def proposal_helpers() -> dict:
    return {
        "status_label": lambda key: STATUS_LABELS.get(key, key),
        "beneficiary_label": lambda key: BENEFICIARY_LABELS.get(key, key),
        "markdown": render_markdown,
        "excerpt": plain_excerpt,
        "allow_map_tiles": _map_on_page,
    }


@bp.app_context_processor
def map_config():
    """The map settings, read for each page as before (tests change them while an
    app runs)."""
    return {"map_config": places.map_settings()}


def _map_on_page() -> str:
    """Called by proposals/_map_assets.html: this page (of any blueprint, e.g. the
    execution dashboard) shows a map, so its tiles are allowed."""
    g.map_on_page = True
    return ""


@bp.after_app_request
def _allow_map_tiles(response):
    """A tile server on another origin is the one image source maps add, on the
    proposal pages and on any page that includes the map assets."""
    if request.blueprint != "proposals" and not g.get("map_on_page"):
        return response
    settings = places.map_settings()
    origin = urlsplit(settings["tiles"]) if settings else None
    if origin and origin.scheme in ("http", "https") and origin.netloc:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"img-src 'self' data: {origin.scheme}://{origin.netloc}; "
            "style-src 'self'; script-src 'self'; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
            "connect-src 'self'"
        )
    return response


def refused(message: str, status: int = 403):
    return render_template(
        "error.html", status=status, title=_("Not allowed"), message=message
    ), status


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.cycle.commune_id != current_commune().id
        or (not services.can_see(current_user, proposal))
    ):
        abort(404)
    return proposal


def scope_label(scope) -> str:
    return localized(scope.district, "name") if scope.district else _("Whole commune")


# Public list ---------------------------------------------------------------------


@bp.route("/proposals")
def proposals_home():
    cycle = current_cycle(current_commune(), utcnow())
    if cycle is None:
        return render_template("proposals/none.html")
    return redirect(url_for(".proposal_list", cycle_id=cycle.id))


def _filter_form(cycle) -> FilterForm:
    form = FilterForm(request.args)
    commune = current_commune()
    form.district.choices = [
        SelectChoice("", _("All")),
        SelectChoice("commune", _("Whole commune")),
    ] + [
        SelectChoice(str(d.id), localized(d, "name")) for d in active_districts(commune)
    ]
    form.category.choices = [SelectChoice("", _("All"))] + [
        SelectChoice(c.id, localized(c, "name"))
        for c in services.active_categories(commune.id)
    ]
    form.beneficiary.choices = choices_of(BENEFICIARY_LABELS, blank=_("All"))
    form.status.choices = [SelectChoice("", _("All"))] + [
        SelectChoice(key, STATUS_LABELS[key]) for key in PUBLIC_STATUSES
    ]
    return form


@bp.route("/cycles/<int:cycle_id>/proposals/map")
def proposal_map(cycle_id: int):
    """The map of a cycle's proposals, with the same places as a list (for the
    keyboard, screen readers, and browsers without JavaScript or tiles)."""
    cycle = cycle_or_404(cycle_id)
    # Per place only its own fields: the link's start, the scopes' labels and
    # "address only" are built once (1,000 url_for calls were a fifth of the page).
    link = url_for("proposals.proposal_page", proposal_id=0)
    return render_template(
        "proposals/map.html",
        cycle=cycle,
        proposals=queries.placed_proposals(cycle.id),
        link_start=link[: -len("0")],
        scope_labels={s.id: scope_label(s) for s in queries.cycle_scopes(cycle.id)},
    )


@bp.route("/map/areas.geojson")
def map_areas():
    """The commune's boundary and districts, as the commune provided them."""
    collection = places.areas()
    if collection is None:
        abort(404)
    return collection


@bp.route("/cycles/<int:cycle_id>/proposals")
def proposal_list(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = _filter_form(cycle)
    form.validate()
    filters = queries.Filters(
        district=request.args.get("district", ""),
        category_id=form.category.data,
        beneficiary=request.args.get("beneficiary", ""),
        status=request.args.get("status", ""),
        q=(form.q.data or "")[:200],
        sort=request.args.get("sort", "newest")
        if request.args.get("sort") in SORT_LABELS
        else "newest",
    )
    page = queries.public_page(
        cycle.id,
        filters,
        requested_page("page", current_app.config["PAGE_SIZE"]),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "proposals/list.html",
        cycle=cycle,
        form=form,
        page=page,
        phase=phase_at(cycle, utcnow()),
        scope_label=scope_label,
    )


# Writing -------------------------------------------------------------------------


def _proposal_form(cycle, proposal=None) -> ProposalForm:
    data = None
    if proposal is not None and request.method == "GET":
        data = {
            "beneficiaries": proposal.beneficiary_keys,
            "association_id": proposal.association_id or 0,
        }
    form = ProposalForm(obj=proposal if request.method == "GET" else None, data=data)
    form.association_id.choices = [SelectChoice(0, _("Myself, as a resident"))] + [
        SelectChoice(a.id, a.name_ar or a.name_fr)
        for a in approved_associations_of(current_user)
    ]
    form.scope_id.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(s.id, scope_label(s))
        for s in sorted(
            cycle.scopes, key=lambda s: (s.district_id is not None, scope_label(s))
        )
    ]
    form.category_id.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(c.id, localized(c, "name"))
        for c in services.active_categories(cycle.commune_id)
    ]
    _file_limits(form)
    return form


def _file_limits(form: ProposalForm) -> None:
    """Limits and messages for the optional client-side check (static/js)."""
    per_file = uploads.max_bytes()
    total = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    form.attachments.render_kw = dict(
        form.attachments.render_kw or {},
        **{
            "data-max-files": uploads.MAX_ATTACHMENTS,
            "data-max-bytes": per_file,
            "data-max-total": total or per_file * uploads.MAX_ATTACHMENTS,
            "data-msg-file": _(
                "“%(name)s” is larger than %(size)d MB.",
                name="%(name)s",
                size=per_file // (1024 * 1024),
            ),
            "data-msg-count": _(
                "At most %(num)d files per proposal.", num=uploads.MAX_ATTACHMENTS
            ),
            "data-msg-total": _(
                "Together these files are larger than %(size)d MB: send "
                "fewer or smaller files.",
                size=(total or 0) // (1024 * 1024),
            ),
        },
    )


def _input(form: ProposalForm) -> services.ProposalInput:
    return services.ProposalInput(
        title=form.title.data or "",
        description=form.description.data or "",
        scope_id=form.scope_id.data,
        category_id=form.category_id.data,
        estimated_cost=form.estimated_cost.data,
        beneficiaries=list(form.beneficiaries.data or []),
        location_text=form.location_text.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        association_id=form.association_id.data or None,
    )


def _files() -> list:
    return [f for f in request.files.getlist("attachments") if f and f.filename]


def _save(form, cycle, proposal):
    """Validate and save; returns the saved proposal or None (errors on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        saved = services.save_proposal(
            current_user,
            cycle,
            proposal,
            _input(form),
            _files(),
            submit=bool(form.submit.data),
            now=utcnow(),
        )
    except ProposalError as error:
        db.session.rollback()
        form_error(form, error)
        if _files():
            flash(
                _("For your safety, files must be chosen again after an error."),
                "warning",
            )
        return None
    db.session.commit()
    if saved.status == "submitted" and form.submit.data:
        flash(
            _(
                "Your proposal is submitted. You can change or withdraw it until the "
                "deadline."
            ),
            "success",
        )
    else:
        flash(_("Saved."), "success")
    return saved


@bp.route("/cycles/<int:cycle_id>/proposals/new", methods=["GET", "POST"])
@resident_required
def new_proposal(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    try:
        services.require_proposals_open(cycle, utcnow())
    except NotAllowed as error:
        if request.method == "GET":
            return refused(str(error))
    if not services.active_categories(cycle.commune_id):
        # A fresh installation: the default categories are data, made on first use.
        services.ensure_categories(cycle.commune_id)
        db.session.commit()
    form = _proposal_form(cycle)
    saved = _save(form, cycle, None) if request.method == "POST" else None
    if saved:
        return redirect(url_for(".proposal_page", proposal_id=saved.id))
    return render_template("proposals/form.html", form=form, cycle=cycle, proposal=None)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@resident_required
def edit_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    try:
        services.check_author(current_user, proposal)
    except NotAllowed as error:
        return refused(str(error))
    form = _proposal_form(proposal.cycle, proposal)
    saved = _save(form, proposal.cycle, proposal) if request.method == "POST" else None
    if saved:
        return redirect(url_for(".proposal_page", proposal_id=saved.id))
    return render_template(
        "proposals/form.html", form=form, cycle=proposal.cycle, proposal=proposal
    )


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@resident_required
def withdraw(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(current_user, proposal, utcnow())
        except ProposalError as error:
            db.session.rollback()
            return refused(str(error))
        db.session.commit()
        flash(_("Your proposal is withdrawn."), "success")
        return redirect(url_for(".proposal_page", proposal_id=proposal.id))
    return render_template(
        "confirm.html",
        form=form,
        title=_("Withdraw “%(title)s”?", title=proposal.title),
        message=_(
            "It will no longer be reviewed or put to the vote. This cannot be "
            "undone, but you can submit a new proposal before the deadline."
        ),
        confirm_label=_("Withdraw"),
        cancel_url=url_for(".proposal_page", proposal_id=proposal.id),
    )


@bp.route("/proposals/mine")
@resident_required
def my_proposals():
    page = paginate(services.my_proposals(current_user))
    return render_template("proposals/mine.html", page=page, scope_label=scope_label)


# The page, supports and comments ---------------------------------------------------


def _render_page(proposal: Proposal, comment_form: CommentForm, status: int = 200):
    review = proposal.review
    return render_template(
        "proposals/page.html",
        proposal=proposal,
        review=review if review and review.is_published else None,
        threads=conversations.threads_of(proposal),
        comment_author=lambda c: conversations.author_name(c, proposal),
        body_member_ids=conversations.reviewing_member_ids(proposal),
        comment_action=url_for(
            ".staff_answer" if getattr(current_user, "is_staff", False) else ".comment",
            proposal_id=proposal.id,
        ),
        author_side=social.is_author_side(current_user, proposal),
        can_answer=current_user.is_authenticated
        and (
            not current_user.is_staff
            or current_user.has_role(*conversations.ANSWERING_ROLES)
        ),
        comment_form=comment_form,
        action_form=ConfirmForm(),
        supported=social.has_supported(current_user, proposal),
        phase=phase_at(proposal.cycle, utcnow()),
        scope_label=scope_label,
        is_author=current_user.is_authenticated
        and current_user.id == proposal.author_id,
    ), status


@bp.route("/proposals/<int:proposal_id>")
def proposal_page(proposal_id: int):
    return _render_page(_proposal_or_404(proposal_id), CommentForm())


@bp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
@resident_required
def support(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        social.support_proposal(current_user, proposal, utcnow())
        db.session.commit()  # the unique constraint catches a double click
    except (ProposalError, IntegrityError) as error:
        db.session.rollback()
        flash(
            str(error)
            if isinstance(error, ProposalError)
            else _(
                "You already support this proposal: each resident supports a proposal "
                "once."
            ),
            "error",
        )
    else:
        flash(_("Thank you: your support is counted."), "success")
    return redirect(url_for(".proposal_page", proposal_id=proposal.id))


def _write_comment(proposal: Proposal):
    form = CommentForm()
    if form.validate_on_submit():
        try:
            parent_id = conversations.parse_parent_id(form.parent_id.data)
            comment = conversations.add_comment(
                current_user, proposal, form.body.data, utcnow(), parent_id
            )
        except ProposalError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Your comment is published."), "success")
            return redirect(
                url_for(
                    ".proposal_page",
                    proposal_id=proposal.id,
                    _anchor=f"comment-{comment.id}",
                )
            )
    return _render_page(proposal, form, 400)


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@resident_required
def comment(proposal_id: int):
    return _write_comment(_proposal_or_404(proposal_id))


@bp.route("/staff/proposals/<int:proposal_id>/answer", methods=["POST"])
@staff_required(*conversations.ANSWERING_ROLES)
def staff_answer(proposal_id: int):
    """A reviewer or an administrator answers in the conversation."""
    return _write_comment(_proposal_or_404(proposal_id))


@bp.route("/comments/<int:comment_id>/flag", methods=["POST"])
@resident_required
def flag(comment_id: int):
    found = comment_or_404(comment_id)
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        social.flag_comment(current_user, found, utcnow())
        db.session.commit()  # the unique constraint catches a double click
    except (ProposalError, IntegrityError) as error:
        db.session.rollback()
        flash(
            str(error)
            if isinstance(error, ProposalError)
            else _("You already reported this comment; a moderator will look at it."),
            "error",
        )
    else:
        flash(_("Thank you: a moderator will look at this comment."), "success")
    return redirect(
        url_for(
            ".proposal_page",
            proposal_id=found.proposal_id,
            _anchor=f"comment-{found.id}",
        )
    )


# Attachments -----------------------------------------------------------------------


def _attachment_or_404(proposal_id: int, attachment_id: int) -> Attachment:
    proposal = _proposal_or_404(proposal_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.proposal_id != proposal.id:
        abort(404)
    return attachment


@bp.route("/proposals/<int:proposal_id>/files/<int:attachment_id>")
def attachment_file(proposal_id: int, attachment_id: int):
    attachment = _attachment_or_404(proposal_id, attachment_id)
    path = uploads.path_of(attachment.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=not attachment.is_image,
        download_name=attachment.filename,
        max_age=3600,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not attachment.proposal.is_public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route(
    "/proposals/<int:proposal_id>/files/<int:attachment_id>/remove",
    methods=["GET", "POST"],
)
@resident_required
def remove_attachment(proposal_id: int, attachment_id: int):
    attachment = _attachment_or_404(proposal_id, attachment_id)
    form = ConfirmForm()
    back = url_for(".edit_proposal", proposal_id=proposal_id)
    if form.validate_on_submit():
        try:
            services.remove_attachment(current_user, attachment, utcnow())
        except ProposalError as error:
            db.session.rollback()
            return refused(str(error))
        db.session.commit()
        flash(_("File removed."), "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        form=form,
        title=_("Remove “%(name)s”?", name=attachment.filename),
        message=_("The file is deleted from your proposal."),
        confirm_label=_("Remove"),
        cancel_url=back,
    )
