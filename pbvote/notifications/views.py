"""Following, the notifications page with its unread count, and SMS preferences."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from pbvote.communes.services import current_commune
from pbvote.core.access import resident_required, safe_next
from pbvote.core.forms import ConfirmForm
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.notifications import events, services
from pbvote.notifications.forms import FollowForm, PreferenceForm
from pbvote.notifications.texts import page_link, page_text

bp = Blueprint("notifications", __name__)
# Imported for its signal receivers (comments, execution updates, results).
RECEIVERS = events


@bp.app_context_processor
def notification_helpers():
    def unread() -> int:
        if not current_user.is_authenticated or current_user.is_staff:
            return 0
        return services.unread_count(current_user)

    return {
        "unread_notifications": unread,
        "is_following": lambda kind, target_id: services.is_following(
            current_user, kind, target_id
        ),
        "notification_text": page_text,
        "notification_link": page_link,
        "follow_form": FollowForm,
    }


def _target_or_404(target_type: str, target_id: int) -> None:
    """Only what a visitor of this commune can see may be followed."""
    from pbvote.cycles.models import Cycle
    from pbvote.proposals.models import Project, Proposal

    model = {"proposal": Proposal, "project": Project, "cycle": Cycle}.get(target_type)
    row = db.session.get(model, target_id) if model else None
    if row is None:
        abort(404)
    cycle = row if target_type == "cycle" else row.cycle
    if cycle.commune_id != current_commune().id:
        abort(404)
    if target_type == "proposal" and not row.is_public:
        abort(404)


@bp.route("/follow/<target_type>/<int:target_id>", methods=["POST"])
@resident_required
def follow(target_type: str, target_id: int):
    _target_or_404(target_type, target_id)
    form = FollowForm()
    form.validate_on_submit() or abort(400)
    try:
        services.follow(current_user, target_type, target_id, utcnow())
        db.session.commit()
    except IntegrityError:  # a double click: the first follow stands
        db.session.rollback()
    flash(_("You follow it: news will appear in your notifications."), "success")
    return redirect(safe_next(form.next.data, url_for(".notifications_page")))


@bp.route("/unfollow/<target_type>/<int:target_id>", methods=["POST"])
@resident_required
def unfollow(target_type: str, target_id: int):
    _target_or_404(target_type, target_id)
    form = FollowForm()
    form.validate_on_submit() or abort(400)
    services.unfollow(current_user, target_type, target_id)
    db.session.commit()
    flash(_("You no longer follow it."), "success")
    return redirect(safe_next(form.next.data, url_for(".notifications_page")))


@bp.route("/notifications", methods=["GET"])
@resident_required
def notifications_page():
    page = paginate(services.notifications_query(current_user))
    unread_ids = {note.id for note in page.items if note.read_at_dt is None}
    preference = services.preference_of(current_user.id)
    form = PreferenceForm(by_sms=preference.by_sms, language=preference.language)
    return render_template(
        "notifications/page.html",
        page=page,
        unread_ids=unread_ids,
        read_form=ConfirmForm(),
        form=form,
        follows=services.follows_of(current_user),
    )


@bp.route("/notifications/read", methods=["POST"])
@resident_required
def mark_read():
    ConfirmForm().validate_on_submit() or abort(400)
    services.mark_all_read(current_user, utcnow())
    db.session.commit()
    return redirect(url_for(".notifications_page"))


@bp.route("/notifications/preferences", methods=["POST"])
@resident_required
def preferences():
    form = PreferenceForm()
    if not form.validate_on_submit():
        flash(_("Choose Arabic or French for your SMS."), "error")
        return redirect(url_for(".notifications_page"))
    services.save_preference(current_user, form.by_sms.data, form.language.data)
    db.session.commit()
    flash(_("Your choices are saved."), "success")
    return redirect(url_for(".notifications_page"))
