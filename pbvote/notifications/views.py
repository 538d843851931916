"""Following, the notifications page with its unread count, SMS and e-mail
preferences, the e-mail confirmation and unsubscribe links (no sign-in needed), and
the staff page of e-mails that failed."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pbvote.audit.services import record_action
from pbvote.communes.services import current_commune
from pbvote.core.access import resident_required, safe_next, staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.notifications import events, mail, services
from pbvote.notifications.errors import EmailRefused
from pbvote.notifications.forms import FollowForm, PreferenceForm
from pbvote.notifications.models import EmailMessage
from pbvote.notifications.texts import page_link, page_text

bp = Blueprint("notifications", __name__)
# Imported for its signal receivers (comments, execution updates, results).
RECEIVERS = events
add_staff_link("notifications.email_status", _l("E-mails"), "admin")


def _unread_notifications() -> int:
    if not current_user.is_authenticated or current_user.is_staff:
        return 0
    return services.unread_count(current_user)


@template_globals(bp)
def notification_helpers() -> dict:
    return {
        "unread_notifications": _unread_notifications,
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
    preference = services.preference_of(current_user.id)
    form = PreferenceForm(
        by_sms=preference.by_sms,
        language=preference.language,
        by_email=preference.by_email,
        email=preference.email or "",
    )
    return _page(form, preference)


def _page(form, preference, status: int = 200):
    page = paginate(services.notifications_query(current_user))
    unread_ids = {note.id for note in page.items if note.read_at_dt is None}
    return render_template(
        "notifications/page.html",
        page=page,
        unread_ids=unread_ids,
        read_form=ConfirmForm(),
        form=form,
        preference=preference,
        follows=services.follows_of(current_user),
    ), status


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
    try:
        sent = services.save_email(
            current_user, form.email.data, form.by_email.data, utcnow()
        )
    except EmailRefused as error:
        db.session.rollback()
        form.email.errors = [str(error)]  # the page again, with what was typed
        return _page(form, services.preference_of(current_user.id), 400)
    db.session.commit()
    flash(_("Your choices are saved."), "success")
    if sent:
        flash(
            _(
                "We sent a link to %(address)s: open it to receive e-mails.",
                address=form.email.data.strip(),
            ),
            "success",
        )
    return redirect(url_for(".notifications_page"))


# E-mail links: they work without signing in (the token is signed) -------------------


@bp.route("/notifications/email/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """A GET only shows the button: a mail scanner opening the link confirms
    nothing."""
    form = ConfirmForm()
    if services.read_email_token(services.VERIFY_SALT, token) is None:
        return _link_page(_("This link is damaged: ask for a new one."), status=400)
    if not form.validate_on_submit():
        return _link_page(
            _("Confirm that you want the news of what you follow by e-mail."),
            form=form,
            button=_("Confirm my address"),
        )
    try:
        services.verify_email(token, utcnow())
    except EmailRefused as error:
        return _link_page(str(error), status=400)
    db.session.commit()
    return _link_page(
        _("Your address is confirmed: news will come by e-mail, at most one a day.")
    )


@bp.route("/notifications/email/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    form = ConfirmForm()
    if services.read_email_token(services.UNSUBSCRIBE_SALT, token) is None:
        return _link_page(_("This link is damaged: ask for a new one."), status=400)
    if not form.validate_on_submit():
        return _link_page(
            _("Stop receiving the news of what you follow by e-mail?"),
            form=form,
            button=_("Stop the e-mails"),
        )
    services.unsubscribe(token)
    db.session.commit()
    return _link_page(
        _("Done: you will receive no more e-mails. The site still shows your news.")
    )


def _link_page(message: str, form=None, button: str = "", status: int = 200):
    return render_template(
        "notifications/email_link.html", message=message, form=form, button=button
    ), status


# Staff: e-mails sent and failed ------------------------------------------------------


@bp.route("/staff/email")
@staff_required("admin")
def email_status():
    query = (
        select(EmailMessage)
        .where(EmailMessage.commune_id == current_commune().id)
        .order_by(EmailMessage.id.desc())
    )
    return render_template(
        "notifications/email_status.html",
        page=paginate(query, size=50),
        form=ConfirmForm(),
    )


@bp.route("/staff/email/retry", methods=["POST"])
@staff_required("admin")
def email_retry():
    form = ConfirmForm()
    if form.validate_on_submit():
        ids = mail.failed_email_ids(current_commune().id)
        for message_id in ids:
            enqueue_after_commit(mail.JOB, message_id, queue="default", retry=1)
        record_action(
            current_user, "email.retry", "email", None, utcnow(), {"count": len(ids)}
        )
        db.session.commit()
        flash(_("%(num)d messages queued again.", num=len(ids)), "success")
    return redirect(url_for(".email_status"))
