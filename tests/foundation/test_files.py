"""Uploaded files are judged by their content (pbvote.core.files)."""

import io

import pytest
from PIL import Image

from pbvote.core.files import (
    ImageTooLarge,
    UnreadableImage,
    is_complete_pdf,
    reencode_image,
    safe_filename,
    sniff,
)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_images_are_reencoded_without_metadata():
    data = jpeg_with_gps()
    assert b"PhoneMaker" in data
    clean = reencode_image(data, "image/jpeg")
    assert b"PhoneMaker" not in clean
    assert Image.open(io.BytesIO(clean)).size == (40, 30)
    assert Image.open(
        io.BytesIO(reencode_image(data, "image/jpeg", max_side=20))
    ).size == (20, 15)


def test_type_comes_from_the_content_not_the_name():
    assert sniff(jpeg_with_gps()) == ("image/jpeg", "jpg")
    assert sniff(b"%PDF-1.7\n...") == ("application/pdf", "pdf")
    assert sniff(b"<script>alert(1)</script>") == (None, None)
    assert is_complete_pdf(b"%PDF-1.4\nbody\n%%EOF\n")
    assert not is_complete_pdf(b"%PDF-1.4\ntruncated")


def test_a_fake_or_huge_image_is_refused():
    with pytest.raises(UnreadableImage):
        reencode_image(b"\xff\xd8\xff" + b"not really a jpeg", "image/jpeg")
    header = io.BytesIO()
    Image.new("1", (8000, 6000)).save(header, "PNG")  # 48 million pixels, tiny file
    with pytest.raises(ImageTooLarge):
        reencode_image(header.getvalue(), "image/png")


def test_file_names_are_made_safe():
    assert safe_filename("../../etc/passwd", "pdf") == "passwd.pdf"
    assert (
        safe_filename("C:\\photos\\حديقة الحي.png.exe", "jpg") == "حديقة-الحيpng.jpg"
    )  # the true type wins
    assert safe_filename("<>.jpg", "jpg") == "file.jpg"
