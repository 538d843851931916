"""Communes and districts."""

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import func, select

from pbvote.audit.services import record_action
from pbvote.communes.errors import CommuneNotConfigured, DistrictNameTaken
from pbvote.communes.models import Commune, District
from pbvote.core.processcache import ProcessCache, detached_copy
from pbvote.extensions import db

# The commune's row, per process (pbvote.core.processcache: a change by staff in
# another process shows within PROCESS_CACHE_SECONDS, in this one at once).
_COMMUNES = ProcessCache("commune", (Commune,), rows=(Commune,))


def current_commune() -> Commune:
    """The commune this installation serves (``COMMUNE_SLUG``), kept per request
    and, for a few seconds, per process: a read-only copy of its row (its columns,
    no relationship) that every request of the process shares, in no session
    (pbvote.core.processcache). Pages read it or use its id; one that changes the
    commune loads its row (``db.session.get(Commune, current_commune().id)``)."""
    if "commune" not in g:
        slug = current_app.config["COMMUNE_SLUG"]
        kept = _COMMUNES.get(slug, lambda: _load_commune(slug))
        if kept is None:
            raise CommuneNotConfigured(
                f"No commune '{slug}': run 'pbvote demo' or 'pbvote seed-commune'."
            )
        g.commune = kept
    return g.commune


def _load_commune(slug: str) -> Commune | None:
    commune = db.session.scalar(select(Commune).where(Commune.slug == slug))
    return None if commune is None else detached_copy(commune)


def active_districts(commune: Commune) -> list[District]:
    return list(
        db.session.scalars(
            select(District)
            .where(District.commune_id == commune.id, District.active)
            .order_by(District.name_fr)
        )
    )


def get_district(commune: Commune, district_id: int) -> District | None:
    district = db.session.get(District, district_id)
    return district if district and district.commune_id == commune.id else None


def save_district(
    actor,
    commune: Commune,
    district: District | None,
    *,
    name_ar: str,
    name_fr: str,
    population: int | None,
    active: bool,
    now,
) -> District:
    """Create or update a district; names are unique within the commune.

    Raises DistrictNameTaken.
    """
    clash = db.session.scalar(
        select(District).where(
            District.commune_id == commune.id,
            func.lower(District.name_fr) == name_fr.strip().lower(),
            District.id != (district.id if district else -1),
        )
    )
    if clash:
        raise DistrictNameTaken(
            _("A district named %(name)s already exists.", name=name_fr)
        )
    created = district is None
    if created:
        district = District(commune_id=commune.id)
        db.session.add(district)
    district.name_ar = name_ar.strip()
    district.name_fr = name_fr.strip()
    district.population = population
    district.active = active
    db.session.flush()  # the audit entry needs the new id
    record_action(
        actor,
        "district.create" if created else "district.update",
        "district",
        district.id,
        now,
        {"name_fr": district.name_fr, "active": active},
    )
    return district
