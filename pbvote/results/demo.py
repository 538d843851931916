"""Demo: count last year's vote so the demo shows published, signed results."""

from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.results.counting import tally_inline
from pbvote.results.errors import TallyError
from pbvote.results.services import scope_results, start_tally
from pbvote.voting.models import Ballot, ElectionKey
from pbvote.voting.sealing import fingerprint


def seed(ctx) -> None:
    """Tally ``ctx["past_cycle"]`` (its ballots come from the voting seed) and set
    ``ctx["winners_by_cycle"]`` ({cycle id: [winning project ids]})."""
    ctx.setdefault("winners_by_cycle", {})
    cycle, now = ctx["past_cycle"], ctx["now"]
    ballots = db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.cycle_id == cycle.id)
    )
    if db.session.get(ElectionKey, cycle.id) is None or not ballots:
        ctx["lines"].append(
            "Results: last year's cycle has no ballots in this demo, "
            "so no results were published."
        )
        return
    # Last year the commune counted its commune-wide scope with the Method of
    # Equal Shares (the demo then shows MES explanations beside greedy districts).
    for scope in cycle.scopes:
        if scope.district_id is None and scope.tally_rule == "greedy":
            scope.tally_rule = "mes"
    try:
        run = start_tally(ctx["staff"]["admin"], cycle, now, queue_jobs=False)
        run = tally_inline(run, now)
    except TallyError as error:
        ctx["lines"].append(f"Results: last year's count did not start: {error}")
        return
    if run.status != "published":
        ctx["lines"].append(f"Results: last year's count stopped: {run.error}")
        return
    winners = [pid for result in scope_results(run) for pid in result.winners]
    ctx["winners_by_cycle"][cycle.id] = winners
    ctx["lines"] += [
        "",
        (
            f"Results of {cycle.year}: {len(winners)} winning projects from "
            f"{run.ballot_count} ballots, signed; see /cycles/{cycle.id}/results and the "
            f"public ballot record at /cycles/{cycle.id}/results/record"
        ),
        (
            "  Check it with the key published when voting opened: pbvote "
            f"verify-results record.json --key '{fingerprint(run.signing_public)}'"
        ),
    ]
