"""The audit trail, for administrators."""

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from pbvote.audit.services import audit_query
from pbvote.core.access import staff_required
from pbvote.core.pagination import paginate
from pbvote.core.time import local_day_start

bp = Blueprint("audit", __name__)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    actor = StringField(_l("Username"), validators=[Optional(), Length(max=64)])
    action = StringField(
        _l("Action starts with"), validators=[Optional(), Length(max=60)]
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To (inclusive)"), validators=[Optional()])


@bp.route("/staff/audit")
@staff_required("admin")
def audit_log():
    form = AuditFilterForm(request.args)
    filters = {}
    if form.validate():
        filters = {
            "actor": (form.actor.data or "").strip().lower(),
            "action": (form.action.data or "").strip(),
            "since": local_day_start(form.since.data) if form.since.data else None,
            "until": (
                local_day_start(form.until.data) + timedelta(days=1)
                if form.until.data
                else None
            ),
        }
    page = paginate(audit_query(**filters), size=50)
    return render_template("audit/log.html", form=form, page=page)
