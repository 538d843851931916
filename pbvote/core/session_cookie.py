"""The signed session cookie, read and written as Flask's own, for less CPU (issue 13).

Flask's ``SecureCookieSessionInterface`` builds a new itsdangerous serializer on
each request and walks every value of the session through its tagged JSON: about
a tenth of a voting page's Python time. :class:`KeptKeySessionInterface` keeps
Flask's interface (cookie name, flags, expiry, when a cookie is sent) and its
cookie format byte for byte, signed by itsdangerous as Flask configures it (keys
SECRET_KEY then SECRET_KEY_FALLBACKS, salt, HMAC-SHA1, timestamp, maximum age,
compression). What changes is that the serializer is built once per set of keys,
and a session of JSON values only (what pbvote keeps: strings, numbers, booleans,
lists and dicts of them) is written with ``json.dumps`` directly, which gives the
same text as the tagged JSON for such values. Any other value (a flash message's
tuple, Markup, a datetime) takes Flask's tagged JSON as before. Cookies written
before this change stay valid.
"""

import json

from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import URLSafeTimedSerializer

_PLAIN = (str, int, float, bool, type(None))


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


class SessionJSON:
    """Flask's tagged JSON for the session, with plain ``json`` for a session of
    JSON values only (the same text, without walking every value for tags)."""

    @staticmethod
    def dumps(data: dict) -> str:
        if json_native(data):
            return json.dumps(data, separators=(",", ":"), sort_keys=True)
        return session_json_serializer.dumps(data)

    @staticmethod
    def loads(text: str | bytes):
        # A tagged value is a dict whose one key starts with a space, written
        # ``{" t":...``: without that text there is nothing to untag.
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if '{" ' not in text:
            return json.loads(text)
        return json.loads(text, object_hook=session_json_serializer.untag)


class KeptKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session with one itsdangerous serializer kept for as
    long as SECRET_KEY and SECRET_KEY_FALLBACKS do not change (Flask builds one
    per request), writing its JSON with :class:`SessionJSON`."""

    serializer = SessionJSON()
    _kept: tuple | None = None

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        kept = self._kept
        if kept is None or kept[0] != keys:
            serializer = URLSafeTimedSerializer(
                list(keys),  # itsdangerous signs with the last, reads with any
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            kept = self._kept = (keys, serializer)
        return kept[1]
