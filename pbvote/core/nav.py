"""Main-menu entries contributed by domains, so base.html needs no edit per domain."""

from dataclasses import dataclass

from flask import current_app, url_for


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # a lazy gettext string
    order: int


_ENTRIES: list[NavEntry] = []


def add_nav(endpoint: str, label, order: int = 50) -> None:
    if all(entry.endpoint != endpoint for entry in _ENTRIES):
        _ENTRIES.append(NavEntry(endpoint, label, order))


def nav_items() -> list[dict]:
    present = current_app.view_functions
    return [
        {"url": url_for(entry.endpoint), "label": entry.label}
        for entry in sorted(_ENTRIES, key=lambda e: e.order)
        if entry.endpoint in present
    ]


@dataclass(frozen=True)
class StaffLink:
    endpoint: str
    label: object
    roles: frozenset


_STAFF_LINKS: list[StaffLink] = []


def add_staff_link(endpoint: str, label, *roles: str) -> None:
    """A card on the staff home page, shown to holders of one of ``roles``."""
    if all(link.endpoint != endpoint for link in _STAFF_LINKS):
        _STAFF_LINKS.append(StaffLink(endpoint, label, frozenset(roles)))


def staff_links(user_roles) -> list[dict]:
    present = current_app.view_functions
    return [
        {"url": url_for(link.endpoint), "label": link.label}
        for link in _STAFF_LINKS
        if link.endpoint in present and link.roles & set(user_roles)
    ]


@dataclass(frozen=True)
class CycleLink:
    endpoint: str  # takes ``cycle_id``
    label: object
    roles: frozenset  # empty: a public call to action
    phases: frozenset  # empty: any phase
    primary: bool = False  # the phase's main call to action, shown first


_CYCLE_LINKS: list[CycleLink] = []


def add_cycle_link(endpoint: str, label, *, roles=(), phases=(), primary=False) -> None:
    """A link about one cycle: a staff action (with ``roles``) on the staff cycle
    list, or a public call to action (no roles) shown on the cycle page during
    ``phases``; a ``primary`` one comes first, as the main button."""
    if all(link.endpoint != endpoint for link in _CYCLE_LINKS):
        _CYCLE_LINKS.append(
            CycleLink(endpoint, label, frozenset(roles), frozenset(phases), primary)
        )


def cycle_links(cycle, *, user_roles=None, phase=None) -> list[dict]:
    present = current_app.view_functions
    staff = user_roles is not None
    links = [
        link
        for link in _CYCLE_LINKS
        if link.endpoint in present
        and (link.roles & set(user_roles) if staff else not link.roles)
        and (staff or not link.phases or phase in link.phases)
    ]
    return [
        {"url": url_for(link.endpoint, cycle_id=cycle.id), "label": link.label}
        for link in sorted(links, key=lambda link: not link.primary)
    ]
