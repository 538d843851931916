"""Read and write the pabulib ``.pb`` format (https://pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, each a semicolon-separated
table (quoted fields allowed) headed by its column names. The reader keeps every
META entry in ``Instance.meta`` and every extra project column (``votes``,
``selected``, ...) in ``Project.extra``; voter ids and extra voter columns are
dropped. Malformed input raises :class:`PabulibError` with a line number.

Budget and costs are exact decimals ("969245.38" is valid; "4,000" and "1e3"
are not): the instance counts money in the smallest unit the file uses (its
``decimals``). Points are whole numbers. Ordinal ballots are read as rankings.
A ballot that names a project twice keeps its first mention (points add up), as
real files contain such ballots. ``min_project_score_threshold`` must be a
number; the declared ``rule`` is checked only when it is tallied (see
:func:`declared_rule`), so a file with ``rule;unknown`` still reads.
"""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal
from fractions import Fraction
from typing import TextIO

from pbvote.engine.errors import PabulibError
from pbvote.engine.gcpause import gc_paused
from pbvote.engine.model import (
    POINT_VOTE_TYPES,
    VOTE_TYPES,
    Ballot,
    Instance,
    Project,
)
from pbvote.engine.pabulib_writer import write_pb

# write_pb lives in pabulib_writer and is imported from here as well.
__all__ = ["declared_rule", "declared_threshold", "read_pb", "selected_projects"]
__all__ += ["write_pb"]
SECTIONS = ("meta", "projects", "votes")
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
THRESHOLD_KEY = "min_project_score_threshold"
_VOTE_TYPE_ALIASES = {"choose-1": "approval"}


class _Table:
    """One section: its header and its rows, each with the line it starts on."""

    def __init__(self, line: int, header: list[str]):
        self.line = line
        self.header = [name.strip() for name in header]
        self.rows: list[tuple[int, list[str]]] = []

    def column(self, name: str, required: bool = True) -> int | None:
        if name in self.header:
            return self.header.index(name)
        if required:
            raise PabulibError(
                f"the header of this section has no {name!r} column", self.line
            )
        return None


@gc_paused
def read_pb(source: str | os.PathLike | TextIO) -> Instance:
    """Parse a pabulib file: a path, an open text file, or the text itself.

    A ``str`` containing a newline is taken as the file's text, any other ``str``
    as a path. Returns an :class:`Instance`; use :func:`selected_projects` for the
    winners the file publishes. Raises :class:`PabulibError` if malformed.
    """
    text = _read_text(source)
    tables, last_line = _split_sections(text)
    for name in SECTIONS:
        if name not in tables:
            raise PabulibError(f"missing section {name.upper()}", last_line)
    meta_table = tables["meta"]
    meta = _parse_meta(meta_table)
    vote_type, budget = _vote_type(meta, meta_table), _budget(meta, meta_table)
    if THRESHOLD_KEY in meta:
        _threshold_value(meta[THRESHOLD_KEY], _meta_line(meta_table, THRESHOLD_KEY))
    raw_projects = _parse_projects(tables["projects"])
    decimals = max(
        [_decimals(budget)] + [_decimals(cost) for _, cost, _ in raw_projects]
    )
    projects = [
        _scaled_project(project, cost, decimals) for project, cost, _ in raw_projects
    ]
    known = {project.id for project in projects}
    ballots = _parse_votes(tables["votes"], vote_type, known)
    meta["vote_type"] = vote_type
    lines = {row[0].strip(): line for line, row in meta_table.rows}
    return Instance(projects, _scaled(budget, decimals), ballots, meta, decimals, lines)


def declared_threshold(instance: Instance) -> Fraction | None:
    """The file's ``min_project_score_threshold`` as an exact number, or None."""
    text = instance.meta.get(THRESHOLD_KEY, "").strip()
    if not text:
        return None
    return _threshold_value(text, instance.meta_lines.get(THRESHOLD_KEY))


def _threshold_value(text: str, line: int | None) -> Fraction | None:
    text = text.strip()
    if not text:
        return None
    if not _DECIMAL.fullmatch(text) or Decimal(text) < 0:
        raise PabulibError(f"{THRESHOLD_KEY} must be a number >= 0, got {text!r}", line)
    return Fraction(Decimal(text))


def _decimals(value: Decimal) -> int:
    """Digits after the point that matter: 400000.0 has 0, 969245.38 has 2."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _scaled(value: Decimal, decimals: int) -> int:
    return int(value.scaleb(decimals))  # exact: decimals covers every digit


def _scaled_project(project: Project, cost: Decimal, decimals: int) -> Project:
    return Project(project.id, _scaled(cost, decimals), project.name, project.extra)


def selected_projects(instance: Instance) -> list[str] | None:
    """Ids whose ``selected`` column is a positive number, in file order.

    ``None`` when no project has a ``selected`` column.
    """
    if not any("selected" in project.extra for project in instance.projects):
        return None
    return [
        project.id
        for project in instance.projects
        if _is_positive_number(project.extra.get("selected", ""))
    ]


def _is_positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


def _read_text(source) -> str:
    if hasattr(source, "read"):
        text = source.read()
    elif isinstance(source, str) and ("\n" in source or "\r" in source):
        text = source
    else:
        with open(source, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    return text.removeprefix("\ufeff")


def _split_sections(text: str) -> tuple[dict[str, _Table], int]:
    """Group the rows by section; returns the tables and the last line number."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    tables: dict[str, _Table] = {}
    current: _Table | None = None
    pending: tuple[str, int] | None = None  # a section whose header is next
    line = 0
    for row in reader:
        start, line = line + 1, reader.line_num
        if not "".join(row).strip():  # blank rows (one C-level test per row)
            continue
        name = row[0].strip().lower() if len(row) == 1 else ""
        if name in SECTIONS:
            if pending:
                raise PabulibError(
                    f"section {pending[0].upper()} has no header row", pending[1]
                )
            if name in tables:
                raise PabulibError(f"section {name.upper()} appears twice", start)
            pending = (name, start)
        elif pending:
            current = tables[pending[0]] = _Table(start, row)
            pending = None
        elif current is None:
            raise PabulibError(
                "expected a section name (META, PROJECTS or VOTES)", start
            )
        else:
            _check_width(current, row, start)
            current.rows.append((start, row))
    if pending:
        raise PabulibError(
            f"section {pending[0].upper()} has no header row", pending[1]
        )
    return tables, line


def _check_width(table: _Table, row: list[str], line: int) -> None:
    if len(row) != len(table.header):
        raise PabulibError(
            f"expected {len(table.header)} fields ({';'.join(table.header)}), "
            f"found {len(row)}",
            line,
        )


def _parse_meta(table: _Table) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line, row in table.rows:
        key = row[0].strip()
        if key in meta:
            raise PabulibError(f"META key {key!r} appears twice", line)
        meta[key] = row[1].strip() if len(row) > 1 else ""
    return meta


def _meta_line(table: _Table, key: str) -> int:
    return next((line for line, row in table.rows if row[0].strip() == key), table.line)


def _budget(meta: dict[str, str], table: _Table) -> Decimal:
    if "budget" not in meta:
        raise PabulibError("META has no 'budget' entry", table.line)
    line = _meta_line(table, "budget")
    budget = _money(meta["budget"], "budget", line)
    if budget == 0:
        raise PabulibError("budget must be more than 0", line)
    return budget


def _money(text: str, what: str, line: int) -> Decimal:
    """An exact decimal amount >= 0 ("1200", "969245.38"); never a float."""
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        raise PabulibError(
            f"{what} must be a number (digits, optionally a decimal point), "
            f"got {text!r}",
            line,
        )
    value = Decimal(text)
    if value < 0:
        raise PabulibError(f"{what} must be at least 0, got {text!r}", line)
    if _decimals(value) > 12:
        raise PabulibError(f"{what} has more than 12 decimals: {text!r}", line)
    return value


def _vote_type(meta: dict[str, str], table: _Table) -> str:
    declared = meta.get("vote_type", "approval").strip().lower()
    vote_type = _VOTE_TYPE_ALIASES.get(declared, declared)
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {declared!r}; expected one of {', '.join(VOTE_TYPES)}",
            _meta_line(table, "vote_type"),
        )
    return vote_type


def _whole(text: str, what: str, line: int, minimum: int | None = None) -> int:
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        raise PabulibError(f"{what} must be a whole number, got {text!r}", line)
    value = int(text.split(".")[0])
    if minimum is not None and value < minimum:
        raise PabulibError(f"{what} must be at least {minimum}, got {text!r}", line)
    return value


def _parse_projects(table: _Table) -> list[tuple[Project, Decimal, int]]:
    id_col, cost_col = table.column("project_id"), table.column("cost")
    name_col = table.column("name", required=False)
    plain = {id_col, cost_col, name_col}
    projects, seen = [], set()
    for line, row in table.rows:
        project_id = row[id_col].strip()
        if not project_id:
            raise PabulibError("empty project_id", line)
        if project_id in seen:
            raise PabulibError(f"project {project_id!r} appears twice", line)
        seen.add(project_id)
        cost = _money(row[cost_col], f"cost of project {project_id!r}", line)
        name = row[name_col].strip() if name_col is not None else ""
        extra = {table.header[i]: row[i] for i in range(len(row)) if i not in plain}
        projects.append((Project(project_id, 0, name, extra), cost, line))
    return projects


def _parse_votes(table: _Table, vote_type: str, known: set[str]) -> list:
    """Ballots in file order: approval sets as bare frozensets (the profile's fast
    path for large files), rankings and points as :class:`Ballot` objects."""
    vote_col = table.column("vote")
    points_col = table.column("points", required=vote_type in POINT_VOTE_TYPES)
    ballots = []
    for line, row in table.rows:
        ids = _vote_ids(row[vote_col], known, line)
        if vote_type in POINT_VOTE_TYPES:
            choice = _points(ids, row[points_col], line)
        elif vote_type == "ordinal":
            choice = tuple(dict.fromkeys(ids))  # a repeat keeps its first rank
        else:
            ballots.append(frozenset(ids))
            continue
        ballots.append(Ballot(choice))
    return ballots


def _vote_ids(field: str, known: set[str], line: int) -> list[str]:
    ids = [part.strip() for part in field.split(",")] if field.strip() else []
    if not known.issuperset(ids):
        unknown = next(project_id for project_id in ids if project_id not in known)
        raise PabulibError(f"vote names unknown project {unknown!r}", line)
    return ids


def _points(ids: list[str], field: str, line: int) -> dict[str, int]:
    parts = [part for part in field.split(",")] if field.strip() else []
    if len(parts) != len(ids):
        raise PabulibError(
            f"vote lists {len(ids)} projects but points lists {len(parts)} values", line
        )
    points: dict[str, int] = {}
    for pid, part in zip(ids, parts):  # a repeated project: its points add up
        points[pid] = points.get(pid, 0) + _whole(part, "points", line)
    return points


def declared_rule(instance: Instance, known: tuple[str, ...]) -> str:
    """The ``rule`` the file declares in META, if it is one of ``known``.

    Raises :class:`PabulibError` (with the line of the ``rule`` entry) for a
    rule outside ``known`` or a file that declares none.
    """
    rule = instance.meta.get("rule", "").strip()
    names = ", ".join(known)
    if not rule:
        raise PabulibError(f"META has no 'rule' entry; choose one of {names}")
    if rule not in known:
        raise PabulibError(
            f"the file's rule {rule!r} is not one the engine knows ({names}); "
            "choose one with --rule",
            instance.meta_lines.get("rule"),
        )
    return rule
