"""Petitions, staff side: paper signatures (clerks) and the bureau's decisions
(administrators), with the 3-month deadline shown and warned about."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.core.access import staff_required
from pbvote.core.forms import saved
from pbvote.core.nav import add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import to_local_day, utcnow
from pbvote.petitions import queries, services
from pbvote.petitions.errors import PetitionError
from pbvote.petitions.forms import AgendaForm, DecisionForm, OutcomeForm, SignForm
from pbvote.petitions.web import bp, petition_or_404

add_staff_link("petitions.staff_list", _l("Petitions"), "admin", "clerk")


@bp.route("/staff/petitions")
@staff_required("admin", "clerk")
def staff_list():
    commune_id = current_commune().id
    status = request.args.get("status", "")
    today = to_local_day(utcnow())
    return render_template(
        "petitions/staff_list.html",
        page=paginate(queries.staff_query(commune_id, status)),
        due=queries.due_soon(commune_id, today),
        deadline_state=lambda p: queries.deadline_state(p, today),
        status=status,
    )


def _render(petition, status=200, **forms):
    forms.setdefault("sign_form", SignForm(prefix="paper"))
    forms.setdefault("decision_form", DecisionForm(prefix="decision"))
    forms.setdefault("agenda_form", AgendaForm(prefix="agenda"))
    forms.setdefault("outcome_form", OutcomeForm(prefix="outcome"))
    today = to_local_day(utcnow())
    return render_template(
        "petitions/staff_page.html",
        petition=petition,
        deadline=queries.deadline_state(petition, today),
        **forms,
    ), status


@bp.route("/staff/petitions/<int:petition_id>")
@staff_required("admin", "clerk")
def staff_page(petition_id: int):
    return _render(petition_or_404(petition_id))


def _staff_step(petition, form, name: str, action, done: str):
    """Validate ``form``, run ``action(form)``, commit, or show the page again."""
    if saved(
        form,
        lambda: action(form),
        PetitionError,
        done,
    ):
        return redirect(url_for(".staff_page", petition_id=petition.id))
    return _render(petition, 400, **{name: form})


@bp.route("/staff/petitions/<int:petition_id>/paper", methods=["POST"])
@staff_required("admin", "clerk")
def staff_paper_signature(petition_id: int):
    petition = petition_or_404(petition_id)
    return _staff_step(
        petition,
        SignForm(prefix="paper"),
        "sign_form",
        lambda form: services.sign_petition(
            petition,
            cin=form.cin.data,
            birth=form.birth_date.data,
            now=utcnow(),
            clerk=current_user,
        ),
        _("Paper signature registered."),
    )


@bp.route("/staff/petitions/<int:petition_id>/decision", methods=["POST"])
@staff_required("admin")
def staff_decide(petition_id: int):
    petition = petition_or_404(petition_id)
    return _staff_step(
        petition,
        DecisionForm(prefix="decision"),
        "decision_form",
        lambda form: services.decide_admissibility(
            current_user,
            petition,
            admissible=form.decision.data == "admissible",
            reasons=form.reasons.data,
            now=utcnow(),
        ),
        _("Decision recorded and published."),
    )


@bp.route("/staff/petitions/<int:petition_id>/agenda", methods=["POST"])
@staff_required("admin")
def staff_agenda(petition_id: int):
    petition = petition_or_404(petition_id)
    return _staff_step(
        petition,
        AgendaForm(prefix="agenda"),
        "agenda_form",
        lambda form: services.schedule_petition(
            current_user, petition, session_on=form.session_on.data, now=utcnow()
        ),
        _("The petition is on the session's agenda."),
    )


@bp.route("/staff/petitions/<int:petition_id>/outcome", methods=["POST"])
@staff_required("admin")
def staff_outcome(petition_id: int):
    petition = petition_or_404(petition_id)
    return _staff_step(
        petition,
        OutcomeForm(prefix="outcome"),
        "outcome_form",
        lambda form: services.record_outcome(
            current_user, petition, outcome=form.outcome.data, now=utcnow()
        ),
        _("The council's decision is published."),
    )
