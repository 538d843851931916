"""The gunicorn access log of a cast names no address, no second, no duration."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from pbvote.voting.accesslog import PrivateVotingLogger


def _line(path: str) -> dict:
    logger = PrivateVotingLogger(Config())
    response = SimpleNamespace(status="302 FOUND", sent=10, headers=[])
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_USER_AGENT": "Phone browser",
    }
    request = [("X-Forwarded-For", "198.51.100.9")]
    return logger.atoms(
        response, request, environ, timedelta(seconds=0, microseconds=1234)
    )


def test_a_cast_is_logged_without_address_time_or_duration():
    atoms = _line("/cycles/3/vote/cast")
    assert atoms["h"] == "-" and atoms["a"] == "-" and atoms["D"] == "-"
    assert atoms["{x-forwarded-for}i"] == "-"
    assert ":" not in atoms["t"]  # the day only
    assert "203.0.113.7" not in str(atoms) and "198.51.100.9" not in str(atoms)


def test_other_pages_are_logged_as_usual():
    atoms = _line("/proposals")
    assert atoms["h"] == "203.0.113.7" and atoms["D"] == 1234
