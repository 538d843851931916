"""Photos and documents checked by content and served safely; open data CSV/JSON
and the read-only API."""

import io
import json

from PIL import Image
from sqlalchemy import select

from pbvote.accountability.models import ExecutionRecord, UpdateAttachment
from pbvote.core import storage
from tests.accountability.factories import execution_setup
from tests.helpers import csrf_token, login_staff, run_jobs, submit


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x010E] = "GPS 34.797N 5.583W"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
    b"/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _post_update(client, record_id, files, **fields):
    url = f"/staff/execution/{record_id}/updates/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "body_fr": "Photos du chantier",
        **fields,
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def test_photos_are_reencoded_without_metadata_and_pdfs_checked(
    app, client, committed, commune
):
    setup = execution_setup(committed, commune)
    record_id = setup["record_ids"][0]
    login_staff(client, *setup["finance"])
    original = _jpeg_with_gps()
    assert b"CameraMaker" in original
    bad = _post_update(client, record_id, [("photo.jpg", b"<html>not a photo</html>")])
    assert bad.status_code == 422
    assert "neither a JPEG or PNG photo nor a PDF document" in bad.get_data(
        as_text=True
    )
    fake_pdf = _post_update(client, record_id, [("doc.pdf", b"%PDF-1.4 truncated")])
    assert "not a complete PDF" in fake_pdf.get_data(as_text=True)
    response = _post_update(
        client, record_id, [("chantier rue.jpg", original), ("pv.pdf", PDF)]
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with committed() as session:
        photo, document = session.scalars(
            select(UpdateAttachment).order_by(UpdateAttachment.id)
        ).all()
        assert (photo.kind, photo.content_type, photo.filename) == (
            "photo",
            "image/jpeg",
            "chantier-rue.jpg",
        )
        photo_data = storage.read("execution", photo.stored_name)
        assert b"CameraMaker" not in photo_data
        assert not Image.open(io.BytesIO(photo_data)).getexif()
        assert (document.kind, document.content_type) == ("document", "application/pdf")
        photo_url = f"/execution/files/{photo.id}/{photo.filename}"
        pdf_url = f"/execution/files/{document.id}/{document.filename}"
    # A draft's files are not public.
    public = app.test_client()
    assert public.get(photo_url).status_code == 404
    assert client.get(photo_url).status_code == 200  # finance staff preview
    submit(
        client,
        f"/staff/execution/updates/{update_id}/publish",
        {},
        form_url=f"/staff/execution/updates/{update_id}",
    )
    served = public.get(photo_url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    pdf = public.get(pdf_url)
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    run_jobs(app, "followup")
    assert photo_url in public.get(f"/execution/{record_id}").get_data(as_text=True)


def test_too_large_file_is_refused(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    login_staff(client, *setup["finance"])
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    response = _post_update(client, setup["record_ids"][0], [("big.pdf", big)])
    assert response.status_code == 422
    assert "too large" in response.get_data(as_text=True)


def test_open_data_and_api(app, client, committed, commune):
    setup = execution_setup(committed, commune)
    staff = app.test_client()
    login_staff(staff, *setup["finance"])
    response = submit(
        staff,
        f"/staff/execution/{setup['record_ids'][0]}/updates/new",
        {
            "status_key": "studies",
            "committed": "50000",
            "body_fr": "Études",
            "service": "=cmd|' /C calc'!A0",
        },
    )
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    submit(
        staff,
        f"/staff/execution/updates/{update_id}/publish",
        {},
        form_url=f"/staff/execution/updates/{update_id}",
    )
    data = json.loads(client.get("/execution/data.json").data)
    assert [row["allocated"] for row in data["items"]] == [400_000, 250_000]
    assert (
        data["items"][0]["status"] == "studies" and data["items"][0]["progress"] == 10
    )
    csv_text = client.get("/execution/data.csv").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("id,cycle_year,project_id,title_ar")
    assert ",studies," in csv_text
    api = client.get("/api/v1/execution/records").get_json()
    assert api["total"] == 2 and api["items"][0]["committed"] == 50_000
    one = client.get(f"/api/v1/execution/records/{setup['record_ids'][0]}").get_json()
    assert one["history"][0]["body_fr"] == "Études"
    missing = client.get("/api/v1/execution/records/999")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    dashboard = client.get("/api/v1/execution/dashboard").get_json()
    assert dashboard["allocated"] == 650_000
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/execution/records" in spec["paths"]
    assert client.get("/api/v1/execution/reports").get_json()["items"] == []


def test_a_jpeg_comment_with_html_is_not_served(app, client, committed, commune):
    from tests.proposals.test_upload_storage import (
        PAYLOAD,
        jpeg_segments,
        jpeg_with_every_kind_of_metadata,
    )

    setup = execution_setup(committed, commune)
    login_staff(client, *setup["finance"])
    original = jpeg_with_every_kind_of_metadata()
    response = _post_update(client, setup["record_ids"][0], [("a.jpg", original)])
    assert response.status_code == 302
    with committed() as session:
        photo = session.scalar(select(UpdateAttachment))
        url = f"/execution/files/{photo.id}/{photo.filename}"
    served = client.get(url).data  # finance staff preview the draft's photo
    assert PAYLOAD not in served
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_segments(served))


def test_files_of_a_draft_are_kept_only_if_it_is_committed(app, committed, commune):
    from pbvote.accountability.files import check_file
    from pbvote.accountability.services import UpdateValues, create_draft
    from pbvote.core.time import utcnow
    from pbvote.extensions import db
    from tests.proposals.test_upload_storage import stored_files

    setup = execution_setup(committed, commune)
    values = UpdateValues(body_fr="Photos")
    before = stored_files(app)
    with app.app_context():
        record = db.session.get(ExecutionRecord, setup["record_ids"][0])
        create_draft(None, record, values, utcnow(), files=[check_file("p.pdf", PDF)])
        db.session.rollback()
    assert stored_files(app) == before
    with committed() as session:
        record = session.get(ExecutionRecord, setup["record_ids"][0])
        create_draft(None, record, values, utcnow(), files=[check_file("p.pdf", PDF)])
    (added,) = set(stored_files(app)) - set(before)
    assert added.parent.name == "execution" and added.read_bytes() == PDF
