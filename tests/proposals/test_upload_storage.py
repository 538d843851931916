"""Uploaded files keep no metadata and are on disk only once their transaction is
committed (pbvote.core.storage)."""

import io
from pathlib import Path

from PIL import Image, ImageCms
from sqlalchemy import select

from pbvote.cycles.models import Cycle
from pbvote.extensions import db
from pbvote.proposals.models import Attachment
from tests.helpers import login_resident, submit
from tests.proposals.factories import setup_cycle
from tests.proposals.test_proposal_attachments import files
from tests.proposals.test_proposal_submission import form_data, new_url

PAYLOAD = b"<script>alert(document.cookie)</script>"


def jpeg_with_every_kind_of_metadata() -> bytes:
    """A JPEG with a comment (COM) holding HTML, EXIF, XMP and an ICC profile."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(
        out,
        "JPEG",
        comment=PAYLOAD,
        exif=exif,
        icc_profile=icc,
        xmp=b"<x:xmpmeta>" + PAYLOAD + b"</x:xmpmeta>",
    )
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of the segments before the image data."""
    markers, at = [], 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:  # SOS: the pixels follow
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return markers


def stored_files(app) -> list[Path]:
    root = Path(app.config.get("STORAGE_DIR") or app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_jpeg_comment_with_html_does_not_survive(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
    login_resident(client, app)
    original = jpeg_with_every_kind_of_metadata()
    assert PAYLOAD in original and 0xFE in jpeg_segments(original)  # COM
    data = form_data(setup)
    data["attachments"] = files((original, "photo.jpg", "image/jpeg"))
    response = submit(client, new_url(setup), data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    with app.app_context():
        photo = db.session.scalar(select(Attachment))
        url = f"/proposals/{photo.proposal_id}/files/{photo.id}"
    served = client.get(url).data
    assert PAYLOAD not in served and b"SpyCam" not in served
    assert jpeg_segments(served)[0] == 0xE0  # JFIF header only:
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_segments(served))  # no EXIF/XMP/ICC/COM


def test_a_refused_submission_leaves_no_file(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        db.session.get(Cycle, setup["cycle_id"]).settings = {
            "proposals_per_resident": 1
        }
    login_resident(client, app)
    assert submit(client, new_url(setup), form_data(setup)).status_code == 302
    before = stored_files(app)
    data = form_data(setup, title="Un second projet")
    data["attachments"] = files(
        (jpeg_with_every_kind_of_metadata(), "photo.jpg", "image/jpeg")
    )
    refused = submit(client, new_url(setup), data, content_type="multipart/form-data")
    # The files were checked and staged before the limit refused the submission.
    assert "You have already submitted 1 proposal" in refused.get_data(as_text=True)
    assert stored_files(app) == before
    with app.app_context():
        assert db.session.scalar(select(Attachment)) is None
