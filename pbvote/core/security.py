"""Keyed hashes, secret boxes and one-time codes, built on the standard library and
``cryptography``; no home-made primitives."""

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def keyed_hash(purpose: str, value: str, key: bytes | str | None = None) -> str:
    """HMAC-SHA256 of ``value``, domain-separated by ``purpose``, as hex.

    The key defaults to the app's SECRET_KEY; identity numbers use their own key.
    """
    if key is None:
        key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_numeric_code(digits: int = 6) -> str:
    """A uniformly random code of ``digits`` digits from the OS's secure generator."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _derived_key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return _derive(secret, purpose)


@lru_cache(maxsize=64)
def _derive(secret: bytes, purpose: str) -> bytes:
    """Kept per (SECRET_KEY, purpose): a derivation per sealed value was a tenth of
    the identity step's sealing (issue 13); a new SECRET_KEY derives anew."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"pbvote:{purpose}".encode(),
    )
    return base64.urlsafe_b64encode(hkdf.derive(secret))


def seal_secret(purpose: str, plaintext: str) -> bytes:
    """Encrypt a small secret (a TOTP seed) with a key derived from SECRET_KEY."""
    return Fernet(_derived_key(purpose)).encrypt(plaintext.encode())


def open_secret(purpose: str, token: bytes) -> str:
    try:
        return Fernet(_derived_key(purpose)).decrypt(token).decode()
    except InvalidToken as exc:  # SECRET_KEY changed since the secret was sealed
        raise ValueError("secret cannot be opened with the current SECRET_KEY") from exc
