"""Staff voting pages: the voter registry and its imports, opening the election,
assisted voting at the citizen office, and the participation profile's aggregates."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pbvote.communes.services import current_commune
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.nav import add_cycle_link, add_staff_link
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.cycles.errors import CycleError
from pbvote.cycles.services import phase_at, running_cycles
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.voting import registry, services, verification
from pbvote.voting.errors import VotingError
from pbvote.voting.forms import (
    AGE_BAND_LABELS,
    DISABILITY_LABELS,
    GENDER_LABELS,
    ClerkLookupForm,
    RegistryImportForm,
)
from pbvote.voting.models import ImportRejection, ImportRun
from pbvote.voting.web import bp

add_cycle_link("voting.staff_registry", _l("Voter registry"), roles=("admin",))
add_cycle_link("voting.staff_election", _l("Election and turnout"), roles=("admin",))
add_cycle_link("voting.staff_participation", _l("Who took part"), roles=("admin",))
add_staff_link(
    "voting.clerk_assisted_vote", _l("Assisted voting at the office"), "clerk", "admin"
)


@bp.route("/staff/cycles/<int:cycle_id>/registry", methods=["GET", "POST"])
@staff_required("admin")
def staff_registry(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = RegistryImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = registry.start_import(
                current_user, cycle, upload.filename, upload.read(), utcnow()
            )
        except (VotingError, CycleError) as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for(".staff_import", run_id=run.id))
    runs = paginate(
        select(ImportRun)
        .where(ImportRun.cycle_id == cycle.id)
        .order_by(ImportRun.id.desc()),
        size=10,
    )
    return render_template(
        "voting/staff_registry.html",
        cycle=cycle,
        form=form,
        runs=runs,
        counts=registry.registry_counts(cycle),
        turnout=services.turnout(cycle),
        locked=phase_at(cycle, utcnow()) not in registry.REGISTRY_PHASES,
        min_age=cycle.setting("min_voting_age"),
    )


@bp.route("/staff/registry-imports/<int:run_id>")
@staff_required("admin")
def staff_import(run_id: int):
    run = db.session.get(ImportRun, run_id)
    if run is None:
        abort(404)
    cycle = cycle_or_404(run.cycle_id)
    rejections = paginate(
        select(ImportRejection)
        .where(ImportRejection.run_id == run.id)
        .order_by(ImportRejection.line),
        size=50,
    )
    return render_template(
        "voting/staff_import.html",
        cycle=cycle,
        run=run,
        rejections=rejections,
        reasons=registry.REASONS,
    )


@bp.route("/staff/cycles/<int:cycle_id>/election", methods=["GET", "POST"])
@staff_required("admin")
def staff_election(cycle_id: int):
    """Turnout (never a count per project) and the election key; opening the
    election makes the key now instead of at the first ballot."""
    cycle = cycle_or_404(cycle_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.open_election(current_user, cycle, utcnow())
        except CycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("The election key is ready. Ballots will be sealed to it."), "success"
            )
        return redirect(url_for(".staff_election", cycle_id=cycle.id))
    box = services.ballot_box(cycle)
    return render_template(
        "voting/staff_election.html",
        cycle=cycle,
        form=form,
        box=box,
        turnout=services.turnout(cycle),
        fingerprint=services.key_fingerprint(box["key"].sealing_public)
        if box["key"]
        else None,
        phase=phase_at(cycle, utcnow()),
    )


@bp.route("/staff/assisted-vote", methods=["GET", "POST"])
@staff_required("clerk", "admin")
def clerk_assisted_vote():
    """A clerk who checked a resident's ID card opens a one-time kiosk ballot in
    the cycle that is in its voting phase (the clerk chooses when several are;
    the next cycle collecting proposals meanwhile does not count)."""
    now = utcnow()
    voting = [
        c
        for c in running_cycles(current_commune(), now)
        if phase_at(c, now) == "voting"
    ]
    if not voting:
        return render_template("voting/clerk.html", cycle=None, form=None), 409
    chosen = request.args.get("cycle", type=int)
    cycle = next((c for c in voting if c.id == chosen), None)
    if cycle is None and len(voting) > 1:
        return render_template("voting/clerk_choose.html", cycles=voting)
    cycle = cycle or voting[0]
    form = ClerkLookupForm()
    if form.validate_on_submit():
        try:
            kiosk_pass, code = verification.open_kiosk_pass(
                current_user, cycle, form.cin.data, form.birth_date.day, now
            )
        except (VotingError, CycleError) as error:
            db.session.rollback()
            form.cin.errors.append(str(error))
        else:
            db.session.commit()
            return render_template(
                "voting/clerk_pass.html",
                cycle=cycle,
                code=f"{code[:4]} {code[4:]}",
                minutes=verification.KIOSK_MINUTES,
                district=kiosk_pass_district(kiosk_pass),
            )
    return render_template("voting/clerk.html", cycle=cycle, form=form)


def kiosk_pass_district(kiosk_pass):
    from pbvote.voting.models import VoterEntry

    return db.session.get(VoterEntry, kiosk_pass.registry_entry_id).district


LABELS = {
    "age_band": AGE_BAND_LABELS,
    "gender": GENDER_LABELS,
    "disability": DISABILITY_LABELS,
}


@bp.route("/staff/cycles/<int:cycle_id>/participation")
@staff_required("admin")
def staff_participation(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    return render_template(
        "voting/staff_participation.html",
        cycle=cycle,
        counts=services.profile_counts(cycle),
        labels=LABELS,
        titles={
            "age_band": _("Age"),
            "gender": _("Gender"),
            "disability": _("Disability"),
        },
        threshold=services.SUPPRESS_BELOW,
    )
