"""Attachments are checked by content, cleaned and served safely."""

import io

from PIL import Image
from sqlalchemy import select

from pbvote.extensions import db
from pbvote.proposals.models import Attachment, Proposal
from tests.helpers import login_resident, submit
from tests.proposals.factories import setup_cycle
from tests.proposals.test_proposal_submission import form_data, new_url

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 47.0, 50.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def files(*items):
    return [(io.BytesIO(data), name, kind) for data, name, kind in items]


def post(client, setup, *items, **changes):
    data = form_data(setup, **changes)
    data["attachments"] = files(*items)
    return submit(client, new_url(setup), data, content_type="multipart/form-data")


def test_photo_is_stripped_of_metadata_and_served_safely(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    original = jpeg_with_gps()
    assert b"SpyCam" in original
    response = post(
        client,
        setup,
        (original, "../../etc/rue.jpg", "image/jpeg"),
        (PDF, "devis.pdf", "application/pdf"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        photo, pdf = db.session.scalars(
            select(Attachment).order_by(Attachment.id)
        ).all()
        ids = (photo.proposal_id, photo.id, pdf.id)
        assert photo.filename == "rue.jpg" and photo.content_type == "image/jpeg"
    served = client.get(f"/proposals/{ids[0]}/files/{ids[1]}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert b"SpyCam" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif()
    document = client.get(f"/proposals/{ids[0]}/files/{ids[2]}")
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert document.headers["Content-Type"] == "application/pdf"


def test_a_file_that_is_not_what_it_claims_is_refused(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    fake = b"<html><script>alert(document.cookie)</script></html>"
    response = post(client, setup, (fake, "photo.png", "image/png"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“photo.png” is not a JPEG or PNG photo or a PDF document" in text
    assert 'value="Éclairage du terrain de Rmel"' in text
    assert "files must be chosen again" in text
    broken = b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10
    text = post(client, setup, (broken, "plan.png", "image/png")).get_data(as_text=True)
    assert "“plan.png” is not a valid image" in text
    text = post(client, setup, (b"%PDF-1.4 cut", "x.pdf", "application/pdf")).get_data(
        as_text=True
    )
    assert "“x.pdf” is not a complete PDF document." in text
    with app.app_context():
        assert db.session.scalar(select(Proposal)) is None


def test_too_large_and_too_many_files_are_refused(client, app, committed, commune):
    app.config["PROPOSAL_ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    try:
        with committed():
            setup = setup_cycle(commune)
        login_resident(client, app)
        big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF"
        text = post(client, setup, (big, "gros.pdf", "application/pdf")).get_data(
            as_text=True
        )
        assert "“gros.pdf” is larger than 1 MB" in text
        six = [(PDF, f"doc{i}.pdf", "application/pdf") for i in range(6)]
        text = post(client, setup, *six).get_data(as_text=True)
        assert "At most 5 files per proposal" in text
    finally:
        app.config.pop("PROPOSAL_ATTACHMENT_MAX_BYTES")


def test_draft_files_are_private_and_removable_by_the_author(
    client, app, committed, commune
):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    response = post(
        client,
        setup,
        (PDF, "devis.pdf", "application/pdf"),
        submit=None,
        save_draft="1",
    )
    assert response.status_code == 302
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        url = f"/proposals/{attachment.proposal_id}/files/{attachment.id}"
    assert client.get(url).headers["Cache-Control"] == "private, no-store"
    assert app.test_client().get(url).status_code == 404
    assert submit(client, url + "/remove", {}).status_code == 302
    assert client.get(url).status_code == 404
