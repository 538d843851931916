"""Information requests, staff side: requests received on paper, the deadline, one
extension, the answer or the reasoned refusal. Clerks and administrators."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import form_error, saved
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import to_local_day, utcnow
from pbvote.extensions import db
from pbvote.inforequests import queries, services
from pbvote.inforequests.errors import InfoRequestError
from pbvote.inforequests.forms import (
    AnswerForm,
    ClerkRequestForm,
    ExtendForm,
    RefuseForm,
)
from pbvote.inforequests.models import InfoRequest
from pbvote.inforequests.web import bp, requester_from

ROLES = ("admin", "clerk")
add_staff_link("inforequests.staff_list", _l("Information requests"), *ROLES)


@bp.route("/staff/information")
@staff_required(*ROLES)
def staff_list():
    status = request.args.get("status", "")
    today = to_local_day(utcnow())
    page = paginate(queries.staff_query(current_commune().id, status, today))
    return render_template(
        "inforequests/staff_list.html", page=page, status=status, today=today
    )


@bp.route("/staff/information/new", methods=["GET", "POST"])
@staff_required(*ROLES)
def staff_new():
    form = ClerkRequestForm()
    if form.validate_on_submit():
        try:
            filed = services.file_request(
                current_commune().id,
                requester_from(form),
                subject=form.subject.data,
                urgent=form.urgent.data,
                channel=form.channel.data,
                now=utcnow(),
                clerk=current_user,
            )
        except InfoRequestError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Request registered: give the requester the tracking number "
                    "%(number)s.",
                    number=filed.tracking_number,
                ),
                "success",
            )
            return redirect(url_for(".staff_page", request_id=filed.id))
    return render_template("inforequests/staff_new.html", form=form)


def _render(item, status=200, **forms):
    forms.setdefault("extend_form", ExtendForm(prefix="extend"))
    forms.setdefault("answer_form", AnswerForm(prefix="answer"))
    forms.setdefault("refuse_form", RefuseForm(prefix="refuse"))
    return render_template(
        "inforequests/staff_page.html",
        item=item,
        requester=services.requester_of(item),
        **forms,
    ), status


@bp.route("/staff/information/<int:request_id>")
@staff_required(*ROLES)
def staff_page(request_id: int):
    return _render(row_or_404(InfoRequest, request_id))


def _step(request_id: int, form, name: str, action, done: str):
    item = row_or_404(InfoRequest, request_id)
    if saved(
        form,
        lambda: action(item, form),
        InfoRequestError,
        done,
    ):
        return redirect(url_for(".staff_page", request_id=item.id))
    return _render(item, 400, **{name: form})


@bp.route("/staff/information/<int:request_id>/extend", methods=["POST"])
@staff_required(*ROLES)
def staff_extend(request_id: int):
    return _step(
        request_id,
        ExtendForm(prefix="extend"),
        "extend_form",
        lambda item, form: services.extend_request(
            current_user, item, reason=form.reason.data, now=utcnow()
        ),
        _("Deadline extended."),
    )


@bp.route("/staff/information/<int:request_id>/answer", methods=["POST"])
@staff_required(*ROLES)
def staff_answer(request_id: int):
    uploads = [f for f in request.files.getlist("answer-documents") if f.filename]
    return _step(
        request_id,
        AnswerForm(prefix="answer"),
        "answer_form",
        lambda item, form: services.answer_request(
            current_user,
            item,
            answer=form.answer.data,
            uploads=uploads,
            now=utcnow(),
        ),
        _("Answer sent and published in the register."),
    )


@bp.route("/staff/information/<int:request_id>/refuse", methods=["POST"])
@staff_required(*ROLES)
def staff_refuse(request_id: int):
    return _step(
        request_id,
        RefuseForm(prefix="refuse"),
        "refuse_form",
        lambda item, form: services.refuse_request(
            current_user,
            item,
            ground=form.ground.data,
            explanation=form.explanation.data,
            now=utcnow(),
        ),
        _("Refusal sent and published in the register."),
    )
