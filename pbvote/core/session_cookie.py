"""The signed session cookie, read and written as Flask's own, for less CPU (issue 13).

Flask's ``SecureCookieSessionInterface`` builds a new itsdangerous serializer on
each request, derives its signing key again for each cookie it reads or writes,
and walks every value of the session through its tagged JSON: about a tenth of a
voting page's Python time. :class:`KeptKeySessionInterface` keeps Flask's
interface (cookie name, flags, expiry, when a cookie is sent) and its cookie
format byte for byte: the same keys (SECRET_KEY, then SECRET_KEY_FALLBACKS for
reading), salt, HMAC-SHA1 key derivation and signature, timestamp, maximum age
(PERMANENT_SESSION_LIFETIME), compression and tagged JSON. What changes is that
the keys are derived once per secret, and a session of JSON values only (what
pbvote keeps: strings, numbers, booleans, lists and dicts of them) is written
with ``json.dumps`` directly, which gives the same text as the tagged JSON for
such values. Any other value (a flash message's tuple, Markup, a datetime) takes
Flask's tagged JSON as before. Cookies written before this change stay valid.
"""

import hmac
import json
import time
import zlib

from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import BadSignature, SignatureExpired
from itsdangerous.encoding import (
    base64_decode,
    base64_encode,
    bytes_to_int,
    int_to_bytes,
)

_DIGEST = "sha1"  # Flask's session signature (SecureCookieSessionInterface)
_SEP = b"."
_PLAIN = (str, int, float, bool, type(None))


def _bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def json_native(value) -> bool:
    """True when ``value`` holds only JSON's own types, with no dict that Flask's
    tagged JSON would tag (one key starting with a space): its tagged JSON is then
    plain JSON. Subclasses (Markup is a str, bool an int) are not plain."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        if len(value) == 1 and next(iter(value))[:1] == " ":
            return False
        return all(type(key) is str and json_native(v) for key, v in value.items())
    if kind is list:
        return all(json_native(item) for item in value)
    return False


def session_text(data: dict) -> str:
    """The session's JSON text, as Flask's ``session_json_serializer.dumps`` writes it
    (compact, keys sorted, ASCII only)."""
    if json_native(data):
        return json.dumps(data, separators=(",", ":"), sort_keys=True)
    return session_json_serializer.dumps(data)


class CookieSerializer:
    """``URLSafeTimedSerializer`` as Flask configures it for the session, with its
    keys derived once. ``secret_keys`` go from the oldest to the current one."""

    def __init__(self, secret_keys, salt: str):
        derive = _bytes(salt)
        # itsdangerous' "hmac" key derivation: HMAC(secret, salt).
        self.keys = [hmac.digest(_bytes(k), derive, _DIGEST) for k in secret_keys]
        self.keys.reverse()  # the current key first, as itsdangerous tries them

    def _signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, _DIGEST)

    def dumps(self, data: dict) -> str:
        text = session_text(data).encode("utf-8")
        compressed = zlib.compress(text)
        if len(compressed) < len(text) - 1:
            payload = b"." + base64_encode(compressed)
        else:
            payload = base64_encode(text)
        stamp = base64_encode(int_to_bytes(int(time.time())))
        value = payload + _SEP + stamp
        return (
            value + _SEP + base64_encode(self._signature(self.keys[0], value))
        ).decode("ascii")

    def loads(self, cookie: str, max_age: int) -> dict:
        """The session in ``cookie``; BadSignature (an empty session for Flask) when
        it is not signed with one of the keys, is older than ``max_age`` seconds or
        cannot be read."""
        value, sep, signature = _bytes(cookie).rpartition(_SEP)
        if not sep:
            raise BadSignature("no signature")
        try:
            signature = base64_decode(signature)
        except Exception as error:
            raise BadSignature("malformed signature") from error
        if not any(
            hmac.compare_digest(signature, self._signature(key, value))
            for key in self.keys
        ):
            raise BadSignature("signature does not match")
        payload, sep, stamp = value.rpartition(_SEP)
        if not sep:
            raise BadSignature("timestamp missing")
        try:
            signed_at = bytes_to_int(base64_decode(stamp))
        except Exception as error:
            raise BadSignature("malformed timestamp") from error
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:
            raise SignatureExpired(f"signature age {age} outside 0..{max_age} s")
        try:
            if payload[:1] == b".":
                text = zlib.decompress(base64_decode(payload[1:]))
            else:
                text = base64_decode(payload)
            return _untagged(text.decode("utf-8"))
        except Exception as error:  # signed with our key: should never happen
            raise BadSignature("unreadable payload") from error


def _untagged(text: str):
    """Flask's tagged JSON, read as Flask reads it (dicts untagged from the
    innermost out). A tagged value is a dict whose one key starts with a space,
    written ``{" t":...``: without that text, there is nothing to untag."""
    if '{" ' not in text:
        return json.loads(text)
    return json.loads(text, object_hook=session_json_serializer.untag)


class KeptKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session with one :class:`CookieSerializer` kept for as
    long as SECRET_KEY and SECRET_KEY_FALLBACKS do not change."""

    _kept: tuple | None = None

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, CookieSerializer(keys, self.salt))
        return kept[1]
