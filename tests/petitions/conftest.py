import pytest

from tests.helpers import login_resident, submit
from tests.petitions.factories import create_registry

AUTHOR = "+212612345601"


@pytest.fixture
def registry(committed, commune):
    with committed():
        return create_registry(commune)


@pytest.fixture
def low_threshold(app, monkeypatch):
    """A threshold of 2 signatures (the setting an administrator would change)."""
    monkeypatch.setitem(app.config, "PETITION_SIGNATURE_THRESHOLD", 2)


def new_petition(client, app, title="Sécurité devant les écoles", login=True) -> int:
    """Sign in as AUTHOR and save a draft citizens' petition; returns its id."""
    if login:
        login_resident(client, app, AUTHOR)
    response = submit(
        client,
        "/petitions/new",
        {
            "association_id": "0",
            "agent_name": "Hicham El Idrissi",
            "title": title,
            "request": "Mettre l'aménagement de passages piétons à l'ordre du jour.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def post_step(client, petition_id: int, step: str, data=None, form_url=None):
    return submit(
        client,
        f"/petitions/{petition_id}/{step}",
        data or {},
        form_url=form_url or f"/petitions/{petition_id}",
    )
