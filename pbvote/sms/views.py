"""Text messages for administrators: what failed, and a retry button."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pbvote.audit.services import record_action
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.jobs import enqueue_after_commit
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.sms.models import SmsMessage
from pbvote.sms.services import SENSITIVE_JOB_OPTIONS, failed_message_ids

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
        ids = failed_message_ids()
        for message_id in ids:
            enqueue_after_commit(
                "jobs.sms.deliver_sms",
                message_id,
                queue="sms",
                retry=5,
                **SENSITIVE_JOB_OPTIONS,  # as pbvote sms-retry: some are codes
            )
        record_action(
            current_user, "sms.retry", "sms", None, utcnow(), {"count": len(ids)}
        )
        db.session.commit()
        flash(_("%(num)d messages queued again.", num=len(ids)), "success")
    return redirect(url_for(".sms_status"))
