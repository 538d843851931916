"""Write an :class:`~pbvote.engine.model.Instance` as a pabulib ``.pb`` file.

The reader is :func:`pbvote.engine.pabulib.read_pb`; ``read_pb(write_pb(x))``
gives back the same projects, budget (with its decimals), vote type and ballots.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from typing import TextIO

from pbvote.engine.model import POINT_VOTE_TYPES, Instance, money_text, split_ballot
from pbvote.engine.ties import project_id_key


def write_pb(
    instance: Instance, file: str | os.PathLike | TextIO, selected=None
) -> None:
    """Write ``instance`` as a pabulib file to a path or an open text file.

    ``selected`` (project ids) fills a ``selected`` column with 1/0, replacing
    any such column in ``Project.extra``. Ballots of weight w become w rows;
    voter ids are 1..n. ``read_pb`` of the output gives back the same projects,
    budget, vote type and ballots (as a multiset).
    """
    if hasattr(file, "write"):
        _write(instance, file, selected)
        return
    with open(file, "w", encoding="utf-8", newline="") as handle:
        _write(instance, handle, selected)


def _write(instance: Instance, handle: TextIO, selected) -> None:
    writer = csv.writer(handle, delimiter=";", lineterminator="\n")
    _write_meta(writer, instance)
    _write_projects(writer, instance, selected)
    _write_votes(writer, instance)


def _write_meta(writer, instance: Instance) -> None:
    meta = {key: str(value) for key, value in instance.meta.items()}
    meta.update(
        budget=str(money_text(instance.budget, instance.decimals)),
        vote_type=instance.vote_type,
        num_projects=str(len(instance.projects)),
        num_votes=str(sum(split_ballot(ballot)[1] for ballot in instance.ballots)),
    )
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())


def _write_projects(writer, instance: Instance, selected) -> None:
    extra_columns: list[str] = []
    for project in instance.projects:
        extra_columns += [key for key in project.extra if key not in extra_columns]
    if selected is not None and "selected" not in extra_columns:
        extra_columns.append("selected")
    chosen = set(selected or ())
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "name", *extra_columns])
    for project in instance.projects:
        extra = dict(project.extra)
        if selected is not None:
            extra["selected"] = "1" if project.id in chosen else "0"
        values = [str(extra.get(key, "")) for key in extra_columns]
        cost = money_text(project.cost, instance.decimals)
        writer.writerow([project.id, cost, project.name, *values])


def _write_votes(writer, instance: Instance) -> None:
    uses_points = instance.vote_type in POINT_VOTE_TYPES
    writer.writerow(["VOTES"])
    writer.writerow(
        ["voter_id", "vote", "points"] if uses_points else ["voter_id", "vote"]
    )
    voter = 0
    for ballot in instance.ballots:
        choice, weight = split_ballot(ballot)
        row = _vote_fields(choice)
        for _ in range(weight):
            voter += 1
            writer.writerow([voter, *row])


def _vote_fields(choice) -> list[str]:
    if isinstance(choice, Mapping):
        return [",".join(choice), ",".join(str(points) for points in choice.values())]
    if isinstance(choice, (tuple, list)):
        return [",".join(choice)]
    return [",".join(sorted(choice, key=project_id_key))]
