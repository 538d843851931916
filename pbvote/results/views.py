"""Results pages, the public ballot record and its downloads, and the
administrator's tally page (start with confirmation, progress, alerts)."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import pbvote.results.api  # noqa: F401 - its routes join bp
from pbvote.communes.services import current_commune
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.i18n import current_language, localized
from pbvote.core.nav import add_cycle_link, add_nav, add_staff_link
from pbvote.core.pagination import requested_page
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.cycles.models import Cycle
from pbvote.cycles.services import phase_at
from pbvote.cycles.web import cycle_or_404
from pbvote.extensions import db
from pbvote.results import presenters, record, services
from pbvote.results.errors import TallyError
from pbvote.results.labels import RUN_STATUS_LABELS
from pbvote.results.models import PublicBallot, PublicChainEntry
from pbvote.results.web import bp
from pbvote.voting.services import normalise_receipt

add_nav("results.results_index", _l("Results"), 40)
add_cycle_link(
    "results.results_page",
    _l("Results"),
    phases=("tally", "execution", "evaluation", "closed"),
)
add_cycle_link("results.staff_tally", _l("Count and results"), roles=("admin",))
add_staff_link("results.staff_tallies", _l("Counts and results"), "admin")


@template_globals(bp)
def results_helpers() -> dict:
    return {
        "run_status_label": lambda status: RUN_STATUS_LABELS.get(status, status),
        "reason_label": presenters.reason_label,
    }


def _published_or_404(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    run = services.published_run(cycle.id)
    if run is None:
        abort(404)
    return cycle, run


# -- public pages ------------------------------------------------------------------


@bp.route("/results")
def results_index():
    return render_template(
        "results/index.html", published=services.published_cycles(current_commune().id)
    )


@bp.route("/cycles/<int:cycle_id>/results")
def results_page(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    run = services.published_run(cycle.id)
    if run is None:
        return render_template(
            "results/pending.html",
            cycle=cycle,
            phase=phase_at(cycle, utcnow()),
            run=services.get_run(cycle.id),
            voting_end=services.voting_end(cycle),
        )
    rtl = current_language().rtl
    scopes = [
        presenters.scope_view(result, rtl) for result in services.scope_results(run)
    ]
    from pbvote.voting.reports import report_counts
    from pbvote.voting.sealing import fingerprint

    return render_template(
        "results/page.html",
        cycle=cycle,
        run=run,
        scopes=scopes,
        rtl=rtl,
        reports=report_counts(cycle.id),
        fingerprint=fingerprint(run.signing_public),
    )


RECORD_PAGE_SIZE = 50
RECEIPT_MATCHES = 20  # a search shows at most this many receipts


@bp.route("/cycles/<int:cycle_id>/results/record")
def record_page(cycle_id: int):
    cycle, run = _published_or_404(cycle_id)
    typed = request.args.get("receipt", "").strip()
    receipt = normalise_receipt(typed)
    receipt_error, matches = None, None
    if typed and len(receipt) < 8:
        receipt_error = _(
            "Type at least the first 8 characters of your receipt "
            "(digits 0–9 and letters a–f)."
        )
    elif typed:
        matches = list(
            db.session.scalars(
                services.chain_query(run, receipt=receipt).limit(RECEIPT_MATCHES)
            )
        )
    results = services.scope_results(run)
    titles = {
        pr.project_id: localized(pr.project, "title")
        for result in results
        for pr in result.projects
    }
    return render_template(
        "results/record.html",
        cycle=cycle,
        run=run,
        scopes=results,
        titles=titles,
        typed=typed,
        receipt_error=receipt_error,
        matches=matches,
        chain=services.numbered_page(
            services.chain_query(run),
            PublicChainEntry.position,
            run.ballot_count or 0,
            requested_page("chain_page", RECORD_PAGE_SIZE),
            RECORD_PAGE_SIZE,
        ),
        ballots=services.numbered_page(
            services.ballots_query(run),
            PublicBallot.shuffled_index,
            run.ballot_count or 0,
            requested_page("ballots_page", RECORD_PAGE_SIZE),
            RECORD_PAGE_SIZE,
        ),
        scope_names={r.scope_id: presenters.scope_name(r.scope) for r in results},
    )


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _batches(model, order_column, run_id: int):
    """All rows of one published list in order, in batches by keyset, each batch
    its own query, so that a stream does not hold a database cursor open while
    the client reads."""
    last = 0
    while True:
        batch = list(
            db.session.scalars(
                select(model)
                .where(model.run_id == run_id, order_column > last)
                .order_by(order_column)
                .limit(2000)
            )
        )
        if not batch:
            return
        yield from batch
        last = getattr(batch[-1], order_column.key)
        db.session.expunge_all()


def _chain(run_id: int):
    return _batches(PublicChainEntry, PublicChainEntry.position, run_id)


def _opened(run_id: int):
    return _batches(PublicBallot, PublicBallot.shuffled_index, run_id)


def _file_prefix(cycle: Cycle) -> str:
    return f"pbvote-{cycle.commune.slug}-{cycle.year}"


@bp.route("/cycles/<int:cycle_id>/results/record.json")
def record_json(cycle_id: int):
    cycle, run = _published_or_404(cycle_id)
    header = record.record_header(cycle, run, services.export_scopes(run))
    body = stream_with_context(
        record.json_stream(header, _chain(run.id), _opened(run.id))
    )
    return _download(
        body, "application/json", f"{_file_prefix(cycle)}-ballot-record.json"
    )


@bp.route("/cycles/<int:cycle_id>/results/chain.csv")
def chain_csv(cycle_id: int):
    cycle, run = _published_or_404(cycle_id)
    body = stream_with_context(record.chain_csv_stream(_chain(run.id)))
    return _download(body, "text/csv", f"{_file_prefix(cycle)}-chain.csv")


@bp.route("/cycles/<int:cycle_id>/results/ballots.csv")
def ballots_csv(cycle_id: int):
    cycle, run = _published_or_404(cycle_id)
    body = stream_with_context(record.ballots_csv_stream(_opened(run.id)))
    return _download(body, "text/csv", f"{_file_prefix(cycle)}-opened-ballots.csv")


@bp.route("/cycles/<int:cycle_id>/results/scope-<int:scope_id>.pb")
def record_pb(cycle_id: int, scope_id: int):
    cycle, run = _published_or_404(cycle_id)
    info = next(
        (s for s in services.export_scopes(run) if s["scope_id"] == scope_id), None
    )
    if info is None:
        abort(404)
    ballots = db.session.scalars(services.ballots_query(run, scope_id=scope_id))
    text = record.pb_text(info, ballots, record.pb_meta(cycle, info), info["winners"])
    return _download(text, "text/plain", f"{_file_prefix(cycle)}-{info['key']}.pb")


# -- staff ---------------------------------------------------------------------------


@bp.route("/staff/tallies")
@staff_required("admin")
def staff_tallies():
    commune = current_commune()
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.commune_id == commune.id).order_by(Cycle.year.desc())
    ).all()
    return render_template(
        "results/staff_tallies.html",
        cycles=cycles,
        runs=services.runs_of([c.id for c in cycles]),
        alerts=services.runs_needing_attention(commune.id),
    )


@bp.route("/staff/cycles/<int:cycle_id>/tally")
@staff_required("admin")
def staff_tally(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    run = services.get_run(cycle.id)
    now = utcnow()
    active = run is not None and services.run_is_active(run, now)
    return render_template(
        "results/staff_tally.html",
        cycle=cycle,
        run=run,
        active=active,
        progress=services.progress(run) if run else None,
        voting_end=services.voting_end(cycle),
        now=now,
        can_start=(run is None or (run.status != "published" and not active)),
    )


@bp.route("/staff/cycles/<int:cycle_id>/tally/start", methods=["GET", "POST"])
@staff_required("admin")
def staff_tally_start(cycle_id: int):
    cycle = cycle_or_404(cycle_id)
    form = ConfirmForm()
    back = url_for(".staff_tally", cycle_id=cycle.id)
    if form.validate_on_submit():
        try:
            services.start_tally(current_user, cycle, utcnow())
        except TallyError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The count has started. This page shows its progress."), "success")
        return redirect(back)
    return render_template(
        "confirm.html",
        form=form,
        title=_("Start the count"),
        danger=False,
        message=_(
            "The ballots of %(year)s will be opened and counted, and the results "
            "published as soon as the count ends. This cannot be undone.",
            year=cycle.year,
        ),
        confirm_label=_("Start the count"),
        cancel_url=back,
    )
