"""The read-only public API's OpenAPI document, assembled from what domains add."""

_PATHS: dict[str, dict] = {}
_SCHEMAS: dict[str, dict] = {}


def add_paths(paths: dict, schemas: dict | None = None) -> None:
    """Domains describe their ``/api/v1/...`` routes here (OpenAPI 3.1 path items)."""
    _PATHS.update(paths)
    _SCHEMAS.update(schemas or {})


def openapi_document(version: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pbvote public API",
            "version": version,
            "description": "Read-only open data of the commune's participatory "
            "budget: cycles, proposals, projects, results, execution.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(_PATHS.items())),
        "components": {"schemas": dict(sorted(_SCHEMAS.items()))},
    }
