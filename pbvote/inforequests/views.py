"""Information requests, public side: the register, asking, following a request."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

import pbvote.inforequests.api
import pbvote.inforequests.staff  # noqa: F401 - its routes join bp
from pbvote.communes.services import current_commune
from pbvote.core import files
from pbvote.core.forms import form_error
from pbvote.core.i18n import ltr
from pbvote.core.nav import add_nav
from pbvote.core.pagination import paginate
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.inforequests import queries, services
from pbvote.inforequests.errors import InfoRequestError
from pbvote.inforequests.forms import GROUND_LABELS, STATUS_LABELS, RequestForm
from pbvote.inforequests.models import InfoDocument
from pbvote.inforequests.web import bp, request_by_number, requester_from

add_nav("inforequests.register", _l("Information"), 65)


@template_globals(bp)
def inforequest_helpers() -> dict:
    return {
        "info_status": lambda key: STATUS_LABELS.get(key, key),
        "info_ground": lambda key: GROUND_LABELS.get(key, key),
        "info_state": lambda r: services.public_state(r, utcnow()),
    }


@bp.route("/information")
def register():
    status = request.args.get("status", "")
    page = paginate(queries.register_query(current_commune().id, status))
    return render_template("inforequests/register.html", page=page, status=status)


@bp.route("/information/new", methods=["GET", "POST"])
def new_request():
    form = RequestForm()
    if form.validate_on_submit():
        resident = current_user if current_user.is_authenticated else None
        try:
            filed = services.file_request(
                current_commune().id,
                requester_from(form),
                subject=form.subject.data,
                urgent=form.urgent.data,
                channel="online",
                now=utcnow(),
                user=resident if resident and not resident.is_staff else None,
                client_key=request.remote_addr or "unknown",
            )
        except InfoRequestError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            # Markup keeps the number isolated (<bdi>) inside an Arabic sentence.
            flash(
                Markup(
                    _("Your request is received. Keep its tracking number: %(number)s.")
                )
                % {"number": ltr(filed.tracking_number)},
                "success",
            )
            return redirect(url_for(".request_page", number=filed.tracking_number))
    return render_template("inforequests/form.html", form=form)


@bp.route("/information/requests/<number>")
def request_page(number: str):
    return render_template("inforequests/page.html", item=request_by_number(number))


@bp.route("/information/requests/<number>/documents/<int:document_id>")
def document(number: str, document_id: int):
    item = request_by_number(number)
    doc = next((d for d in item.documents if d.id == document_id), None)
    if doc is None:
        abort(404)
    return _send(doc)


def _send(doc: InfoDocument):
    return send_file(
        files.path_of(services.FOLDER, doc.stored_name),
        mimetype=doc.content_type,
        as_attachment=doc.content_type == "application/pdf",
        download_name=doc.filename,
    )
