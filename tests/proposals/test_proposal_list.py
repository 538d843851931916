"""The public list: filters, Arabic and French search, sorts, pagination, open data."""

import csv
import io
from datetime import timedelta

from pbvote.core.time import utcnow
from tests.factories import create_resident
from tests.proposals.factories import create_proposal, setup_cycle


def seed(committed, commune):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        now = utcnow()
        create_proposal(
            setup,
            author.id,
            title="إنارة الشارع الرئيسي",
            description="تركيب مصابيح شمسية في الشارع الرئيسي لحي الرمل "
            "لضمان سلامة النساء والأطفال في المساء.",
            cost=300_000,
            scope_id=setup["district_scopes"][2],
            beneficiaries="women",
            supports=7,
            submitted_at=now - timedelta(days=3),
        )
        create_proposal(
            setup,
            author.id,
            title="Bibliothèque de quartier à Adrou",
            description="Créer une petite bibliothèque et un espace "
            "d'étude pour les élèves du quartier Adrou.",
            category="culture",
            cost=150_000,
            scope_id=setup["district_scopes"][0],
            beneficiaries="youth",
            supports=2,
            submitted_at=now - timedelta(days=2),
        )
        create_proposal(
            setup,
            author.id,
            title="Terrain de sport de proximité",
            description="Aménager un terrain multisports en gazon "
            "synthétique pour les jeunes de toute la commune.",
            category="sports",
            cost=600_000,
            beneficiaries="youth",
            supports=12,
            submitted_at=now - timedelta(days=1),
        )
        create_proposal(setup, author.id, title="Brouillon secret", status="draft")
        create_proposal(
            setup, author.id, title="Projet retiré du vote", status="withdrawn"
        )
    return setup


def titles(client, setup, query="") -> list[str]:
    page = client.get(f"/cycles/{setup['cycle_id']}/proposals?{query}").get_data(
        as_text=True
    )
    wanted = [
        "إنارة الشارع الرئيسي",
        "Bibliothèque de quartier à Adrou",
        "Terrain de sport de proximité",
        "Brouillon secret",
        "Projet retiré du vote",
    ]
    return sorted((t for t in wanted if t in page), key=page.index)


def test_list_never_shows_drafts(client, committed, commune):
    setup = seed(committed, commune)
    shown = titles(client, setup)
    assert "Brouillon secret" not in shown
    assert len(shown) == 4  # withdrawn ones stay public, with their status


def test_arabic_search_ignores_hamza_ta_marbuta_tatweel_and_diacritics(
    client, committed, commune
):
    setup = seed(committed, commune)
    for query in ("انارة", "إنـــارة", "إِنَارَةُ", "اناره الشارع", "الرييسي"):
        assert titles(client, setup, f"q={query}") == ["إنارة الشارع الرئيسي"], query
    assert titles(client, setup, "q=مصابيح") == ["إنارة الشارع الرئيسي"]


def test_french_search_ignores_accents_and_case(client, committed, commune):
    setup = seed(committed, commune)
    library = ["Bibliothèque de quartier à Adrou"]
    assert titles(client, setup, "q=BIBLIOTHEQUE") == library
    assert titles(client, setup, "q=élèves adrou") == library
    assert titles(client, setup, "q=bibliothèque+piscine") == []
    assert titles(client, setup, "q=100%25") == []  # LIKE wildcards are escaped


def test_filters_by_district_category_beneficiary_and_status(
    client, committed, commune
):
    setup = seed(committed, commune)
    adrou = commune["district_ids"][0]
    assert titles(client, setup, f"district={adrou}") == [
        "Bibliothèque de quartier à Adrou"
    ]
    assert titles(client, setup, "district=commune") == [
        "Terrain de sport de proximité",
        "Projet retiré du vote",
    ] or set(titles(client, setup, "district=commune")) == {
        "Terrain de sport de proximité",
        "Projet retiré du vote",
    }
    culture = setup["categories"]["culture"]
    assert titles(client, setup, f"category={culture}") == [
        "Bibliothèque de quartier à Adrou"
    ]
    assert titles(client, setup, "beneficiary=women") == ["إنارة الشارع الرئيسي"]
    assert titles(client, setup, "status=withdrawn") == ["Projet retiré du vote"]
    # Nonsense filters are ignored rather than failing.
    assert len(titles(client, setup, "district=x&category=y&status=z&sort=w")) == 4


def test_sorts(client, committed, commune):
    setup = seed(committed, commune)
    assert titles(client, setup, "sort=supported")[:3] == [
        "Terrain de sport de proximité",
        "إنارة الشارع الرئيسي",
        "Bibliothèque de quartier à Adrou",
    ]
    assert titles(client, setup, "sort=cost_desc&status=submitted") == [
        "Terrain de sport de proximité",
        "إنارة الشارع الرئيسي",
        "Bibliothèque de quartier à Adrou",
    ]
    assert titles(client, setup, "sort=cost_asc&status=submitted")[0] == (
        "Bibliothèque de quartier à Adrou"
    )


def test_pagination(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        for index in range(25):
            create_proposal(setup, author.id, title=f"Proposition numéro {index:02d}")
    first = client.get(f"/cycles/{setup['cycle_id']}/proposals").get_data(as_text=True)
    assert first.count("Proposition numéro") == 20
    assert "Page 1 of 2" in first
    second = client.get(f"/cycles/{setup['cycle_id']}/proposals?page=2").get_data(
        as_text=True
    )
    assert second.count("Proposition numéro") == 5


def test_open_data_csv_json_and_api(client, committed, commune):
    setup = seed(committed, commune)
    cycle_id = setup["cycle_id"]
    response = client.get(f"/cycles/{cycle_id}/proposals.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert {row["title"] for row in rows} >= {
        "إنارة الشارع الرئيسي",
        "Terrain de sport de proximité",
    }
    assert "Brouillon secret" not in {row["title"] for row in rows}
    assert all("+212" not in value for row in rows for value in row.values())
    data = client.get(f"/cycles/{cycle_id}/proposals.json").get_json()
    assert len(data["proposals"]) == 4
    api = client.get(f"/api/v1/cycles/{cycle_id}/proposals?q=انارة").get_json()
    assert [item["title"] for item in api["items"]] == ["إنارة الشارع الرئيسي"]
    sports = client.get(f"/api/v1/cycles/{cycle_id}/proposals?category=sports")
    assert [i["title"] for i in sports.get_json()["items"]] == [
        "Terrain de sport de proximité"
    ]
    one = client.get(f"/api/v1/proposals/{api['items'][0]['id']}").get_json()
    assert one["beneficiaries"] == ["women"] and one["review"] is None
    assert client.get("/api/v1/proposals/9999").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/cycles/{cycle_id}/proposals" in spec["paths"]


def test_csv_cells_cannot_run_formulas(client, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        create_proposal(setup, author.id, title='=HYPERLINK("http://x")')
    url = f"/cycles/{setup['cycle_id']}/proposals.csv"
    text = client.get(url).get_data(as_text=True)
    assert "'=HYPERLINK" in text
