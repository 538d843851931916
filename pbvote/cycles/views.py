"""Public cycle pages and the administrator's cycle set-up."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pbvote.communes.services import active_districts, current_commune
from pbvote.communes.web import row_or_404
from pbvote.core.access import staff_required
from pbvote.core.forms import MadField, form_error
from pbvote.core.templating import template_globals
from pbvote.core.time import (
    last_local_day,
    local_day_end,
    local_day_start,
    to_local_day,
    utcnow,
)
from pbvote.cycles import services
from pbvote.cycles.errors import CycleError
from pbvote.cycles.forms import CycleForm, ScopeRulesForm
from pbvote.cycles.models import PHASES, Cycle, Scope
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db

bp = Blueprint("cycles", __name__)


@template_globals(bp)
def cycle_helpers() -> dict:
    from flask_login import current_user as user

    from pbvote.core.nav import cycle_links
    from pbvote.cycles.labels import (
        BALLOT_RULE_LABELS,
        PHASE_HELP,
        PHASE_LABELS,
        TALLY_RULE_LABELS,
    )

    return {
        "phase_label": lambda kind: PHASE_LABELS.get(kind, kind),
        "phase_help": lambda kind: PHASE_HELP.get(kind, ""),
        "ballot_rule_label": lambda rule: BALLOT_RULE_LABELS.get(rule, rule),
        "tally_rule_label": lambda rule: TALLY_RULE_LABELS.get(rule, rule),
        "cycle_staff_links": lambda cycle: cycle_links(
            cycle, user_roles=user.role_names if user.is_authenticated else set()
        ),
        "cycle_actions": lambda cycle, phase: cycle_links(cycle, phase=phase),
    }


@bp.route("/cycles")
def cycle_list():
    cycles = db.session.scalars(
        select(Cycle)
        .where(Cycle.commune_id == current_commune().id)
        .options(selectinload(Cycle.phases))
        .order_by(Cycle.year.desc())
    ).all()
    now = utcnow()
    return render_template(
        "cycles/list.html",
        cycles=cycles,
        phases={c.id: services.phase_at(c, now) for c in cycles},
    )


@bp.route("/cycles/<int:cycle_id>")
def cycle_page(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    now = utcnow()
    return render_template(
        "cycles/page.html",
        cycle=cycle,
        phase=services.phase_at(cycle, now),
        timeline=services.timeline(cycle, now),
    )


@bp.route("/staff/cycles")
@staff_required("admin")
def staff_cycles():
    cycles = db.session.scalars(
        select(Cycle)
        .where(Cycle.commune_id == current_commune().id)
        .options(selectinload(Cycle.phases))
        .order_by(Cycle.year.desc())
    ).all()
    return render_template("cycles/staff_list.html", cycles=cycles)


def _form_dates(form: CycleForm):
    starts = {
        kind: local_day_start(getattr(form, f"start_{kind}").data) for kind in PHASES
    }
    # The cycle's last day is a whole local day: it ends at midnight after it.
    return starts, local_day_end(form.ends_at.data)


@bp.route("/staff/cycles/new", methods=["GET", "POST"])
@bp.route("/staff/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def staff_cycle_form(cycle_id: int | None = None):
    cycle = cycle_or_404(cycle_id) if cycle_id else None
    form = CycleForm(
        data=_cycle_data(cycle) if cycle and request.method == "GET" else None
    )
    if form.validate_on_submit():
        starts, ends_at = _form_dates(form)
        try:
            cycle = services.save_cycle(
                current_user,
                current_commune(),
                cycle,
                year=form.year.data,
                title_ar=form.title_ar.data,
                title_fr=form.title_fr.data,
                total_budget=form.total_budget.data,
                starts=starts,
                ends_at=ends_at,
                now=utcnow(),
                change_reason=form.change_reason.data or "",
                confirmed=form.confirm_change.data,
            )
        except CycleError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            db.session.commit()
            flash(_("Cycle saved. Now split its budget into scopes."), "success")
            return redirect(url_for(".staff_scopes", cycle_id=cycle.id))
    return render_template(
        "cycles/staff_form.html", form=form, cycle=cycle, phases=PHASES
    )


def _cycle_data(cycle: Cycle) -> dict:
    data = {
        "year": cycle.year,
        "title_ar": cycle.title_ar,
        "title_fr": cycle.title_fr,
        "total_budget": cycle.total_budget,
        "ends_at": last_local_day(cycle.ends_at_dt),
    }
    for kind, start in cycle.phase_starts().items():
        data[f"start_{kind}"] = to_local_day(start)
    return data


def _amounts_form(cycle: Cycle, districts):
    """A form with one amount per district and one for the whole commune."""

    class AmountsForm(FlaskForm):
        pass

    current = {scope.district_id: scope.amount for scope in cycle.scopes}
    AmountsForm.commune = MadField(
        _("Commune-wide projects"), default=current.get(None, 0)
    )
    for district in districts:
        setattr(
            AmountsForm,
            f"district_{district.id}",
            MadField(
                f"{district.name_ar} · {district.name_fr}",
                default=current.get(district.id, 0),
            ),
        )
    return AmountsForm()


@bp.route("/staff/cycles/<int:cycle_id>/scopes", methods=["GET", "POST"])
@staff_required("admin")
def staff_scopes(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    districts = active_districts(current_commune())
    form = _amounts_form(cycle, districts)
    if form.validate_on_submit():
        amounts = {None: form.commune.data}
        amounts.update({d.id: form[f"district_{d.id}"].data for d in districts})
        try:
            services.set_scope_amounts(current_user, cycle, amounts, utcnow())
        except CycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Budget split saved."), "success")
            return redirect(url_for(".staff_scopes", cycle_id=cycle.id))
    return render_template(
        "cycles/staff_scopes.html", cycle=cycle, form=form, districts=districts
    )


@bp.route("/staff/scopes/<int:scope_id>/rules", methods=["GET", "POST"])
@staff_required("admin")
def staff_scope_rules(scope_id: int):
    scope = row_or_404(Scope, scope_id, lambda row: row.cycle.commune_id)
    form = ScopeRulesForm(
        obj=None,
        data=None
        if request.method == "POST"
        else {
            "ballot_rule": scope.ballot_rule,
            "max_projects": scope.ballot_max_projects,
            "min_share_pct": scope.ballot_min_share_pct,
            "tally_rule": scope.tally_rule,
            "greedy_fill": scope.tally_greedy_fill,
            "min_votes": scope.tally_min_votes,
            "min_vote_share_pct": scope.tally_min_share_pct,
        },
    )
    if form.validate_on_submit():
        try:
            services.set_scope_rules(
                current_user,
                scope,
                ballot_rule=form.ballot_rule.data,
                max_projects=form.max_projects.data,
                min_share_pct=form.min_share_pct.data,
                tally_rule=form.tally_rule.data,
                greedy_fill=form.greedy_fill.data,
                min_votes=form.min_votes.data,
                min_vote_share_pct=form.min_vote_share_pct.data,
                now=utcnow(),
            )
        except CycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Rules saved."), "success")
            return redirect(url_for(".staff_scopes", cycle_id=scope.cycle_id))
    return render_template("cycles/staff_scope_rules.html", form=form, scope=scope)
