"""Complaints, staff side: routing to a service and answering; late ones flagged."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.complaints import queries, services
from pbvote.complaints.errors import ComplaintError
from pbvote.complaints.forms import AnswerForm, RouteForm
from pbvote.complaints.models import Complaint
from pbvote.complaints.web import bp
from pbvote.core.access import staff_required
from pbvote.core.forms import saved
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import to_local_day, utcnow

ROLES = ("admin", "clerk")
add_staff_link("complaints.staff_list", _l("Complaints"), *ROLES)


@bp.route("/staff/complaints")
@staff_required(*ROLES)
def staff_list():
    status = request.args.get("status", "")
    today = to_local_day(utcnow())
    page = paginate(queries.staff_query(current_commune().id, status, today))
    return render_template("complaints/staff_list.html", page=page, status=status)


def _render(complaint, status=200, **forms):
    forms.setdefault("route_form", RouteForm(prefix="route"))
    forms.setdefault("answer_form", AnswerForm(prefix="answer"))
    return render_template(
        "complaints/staff_page.html", complaint=complaint, **forms
    ), status


@bp.route("/staff/complaints/<int:complaint_id>")
@staff_required(*ROLES)
def staff_page(complaint_id: int):
    return _render(row_or_404(Complaint, complaint_id))


def _step(complaint_id: int, form, name: str, action, done: str):
    complaint = row_or_404(Complaint, complaint_id)
    if saved(
        form,
        lambda: action(complaint, form),
        ComplaintError,
        done,
    ):
        return redirect(url_for(".staff_page", complaint_id=complaint.id))
    return _render(complaint, 400, **{name: form})


@bp.route("/staff/complaints/<int:complaint_id>/route", methods=["POST"])
@staff_required(*ROLES)
def staff_route(complaint_id: int):
    return _step(
        complaint_id,
        RouteForm(prefix="route"),
        "route_form",
        lambda c, form: services.route_complaint(
            current_user, c, service=form.service.data, now=utcnow()
        ),
        _("Complaint sent to the service."),
    )


@bp.route("/staff/complaints/<int:complaint_id>/answer", methods=["POST"])
@staff_required(*ROLES)
def staff_answer(complaint_id: int):
    return _step(
        complaint_id,
        AnswerForm(prefix="answer"),
        "answer_form",
        lambda c, form: services.answer_complaint(
            current_user, c, answer=form.answer.data, now=utcnow()
        ),
        _("Answer published; the resident is told by SMS."),
    )
