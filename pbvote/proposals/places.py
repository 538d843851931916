"""Where a proposal is: the commune's boundary and districts from the GeoJSON file
the commune provides, and the check that a point lies inside the commune.

The file is ``MAP_GEOJSON`` (a path), else ``static/maps/<COMMUNE_SLUG>.geojson``.
Features carry ``properties.kind``: ``"commune"`` for the boundary (Polygon or
MultiPolygon), ``"district"`` (with ``name``) for the districts drawn on maps.
Without a file, only the Morocco-wide check in services applies."""

import json
from functools import lru_cache
from pathlib import Path

from flask import current_app

from pbvote.config import PROJECT_ROOT


def areas_path() -> Path | None:
    configured = current_app.config.get("MAP_GEOJSON")
    if configured:
        return Path(configured)
    bundled = (
        PROJECT_ROOT
        / "static"
        / "maps"
        / (f"{current_app.config['COMMUNE_SLUG']}.geojson")
    )
    return bundled if bundled.exists() else None


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def areas() -> dict | None:
    """The commune's GeoJSON FeatureCollection, or None when it has none."""
    path = areas_path()
    if path is None or not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime)


def _rings(geometry: dict) -> list[list[list]]:
    """Each polygon as [outer ring, holes...], for Polygon and MultiPolygon."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    """Ray casting: count the edges a ray going east from the point crosses."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def _in_geometry(lon: float, lat: float, geometry: dict) -> bool:
    for polygon in _rings(geometry):
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(lon, lat, outer) and not any(
            _in_ring(lon, lat, hole) for hole in holes
        ):
            return True
    return False


def inside_commune(latitude: float, longitude: float) -> bool | None:
    """Whether the point is inside the commune's boundary; None when the commune
    has provided no boundary."""
    collection = areas()
    if not collection:
        return None
    boundaries = [
        feature["geometry"]
        for feature in collection.get("features", [])
        if (feature.get("properties") or {}).get("kind") == "commune"
    ]
    if not boundaries:
        return None
    return any(_in_geometry(longitude, latitude, g) for g in boundaries)


def map_settings() -> dict | None:
    """What a map needs, or None when no tile server is configured (then every
    form asks for an address only)."""
    tiles = current_app.config.get("MAP_TILE_URL")
    if not tiles:
        return None
    return {
        "tiles": tiles,
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        "center": current_app.config.get("MAP_CENTER") or "34.797,-5.583",
    }
