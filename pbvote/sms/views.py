"""Text messages for administrators: what failed, and a retry button."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import requeue_failed

bp = Blueprint("sms", __name__)


@bp.route("/staff/sms")
@staff_required("admin")
def sms_status():
    from pbvote.communes.services import current_commune
    from pbvote.sms.services import monthly_usage

    page = paginate(select(SmsMessage).order_by(SmsMessage.id.desc()), size=50)
    usage = monthly_usage(current_commune().id, utcnow())
    return render_template(
        "sms/status.html", page=page, form=ConfirmForm(), usage=usage
    )


@bp.route("/staff/sms/retry", methods=["POST"])
@staff_required("admin")
def sms_retry():
    form = ConfirmForm()
    if form.validate_on_submit():
        count = requeue_failed()  # as pbvote sms-retry
        record_action(
            current_user, "sms.retry", "sms", None, utcnow(), {"count": count}
        )
        db.session.commit()
        flash(_("%(num)d messages queued again.", num=count), "success")
    return redirect(url_for(".sms_status"))
