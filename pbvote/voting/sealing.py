"""Sealed ballots and election keys, with ``cryptography``'s primitives only.

A ballot is sealed to the cycle's X25519 public key: an ephemeral X25519 exchange,
HKDF-SHA256, then AES-256-GCM (the ECIES pattern; no home-made primitive). Plain
choices are padded to a fixed size so the sealed length does not tell how many
projects were chosen. Private keys (the election's and the results-signing Ed25519
key) are stored only wrapped with AES-GCM under a key derived from
``ELECTION_KEY_WRAP``, bound to the cycle id.
"""

import hashlib
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw
RAW_PRIVATE = serialization.PrivateFormat.Raw
NO_ENCRYPTION = serialization.NoEncryption()
PADDED_SIZE = 1024  # bytes of plain ballot: up to ~150 project ids
GENESIS = "0" * 64  # the hash chain's first "previous" link


class SealError(Exception):
    """A sealed ballot or wrapped key cannot be opened (wrong key or tampered)."""


def _kdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret
    )


def new_election_keys() -> tuple[bytes, bytes, bytes, bytes]:
    """(sealing public, sealing private, signing public, signing private), raw bytes."""
    sealing = X25519PrivateKey.generate()
    signing = Ed25519PrivateKey.generate()
    return (
        sealing.public_key().public_bytes(RAW, RAW_PUBLIC),
        sealing.private_bytes(RAW, RAW_PRIVATE, NO_ENCRYPTION),
        signing.public_key().public_bytes(RAW, RAW_PUBLIC),
        signing.private_bytes(RAW, RAW_PRIVATE, NO_ENCRYPTION),
    )


def new_wrapped_keys(
    wrap_secret: str, owner_id: int, purposes: tuple[str, str] = ("sealing", "signing")
) -> dict[str, bytes]:
    """A new election's key columns: both public keys, and both private keys
    wrapped under ``wrap_secret`` for ``owner_id`` (a cycle, or a poll with its own
    ``purposes``), as the key tables store them."""
    sealing_public, sealing_private, signing_public, signing_private = (
        new_election_keys()
    )
    sealing_purpose, signing_purpose = purposes
    return {
        "sealing_public": sealing_public,
        "sealing_private_wrapped": wrap_key(
            wrap_secret, owner_id, sealing_purpose, sealing_private
        ),
        "signing_public": signing_public,
        "signing_private_wrapped": wrap_key(
            wrap_secret, owner_id, signing_purpose, signing_private
        ),
    }


def wrap_key(wrap_secret: str, cycle_id: int, purpose: str, private: bytes) -> bytes:
    key = _kdf(wrap_secret.encode(), f"pbvote-key-wrap:{purpose}".encode())
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, private, f"cycle:{cycle_id}".encode())


def unwrap_key(wrap_secret: str, cycle_id: int, purpose: str, wrapped: bytes) -> bytes:
    key = _kdf(wrap_secret.encode(), f"pbvote-key-wrap:{purpose}".encode())
    try:
        return AESGCM(key).decrypt(
            wrapped[:12], wrapped[12:], f"cycle:{cycle_id}".encode()
        )
    except InvalidTag as exc:  # a wrong ELECTION_KEY_WRAP or an altered row
        raise SealError("the election key cannot be unwrapped") from exc


def encode_choice(scope_id: int, project_ids) -> bytes:
    return encode_padded({"scope": scope_id, "projects": sorted(set(project_ids))})


def encode_padded(data: dict) -> bytes:
    """Any ballot's plain text (a budget choice, a poll's answers): compact JSON,
    padded with random bytes to PADDED_SIZE so that its sealed length tells nothing."""
    body = json.dumps(data, separators=(",", ":")).encode()
    if len(body) > PADDED_SIZE - 2:
        raise ValueError("ballot too large")
    return len(body).to_bytes(2, "big") + body + os.urandom(PADDED_SIZE - 2 - len(body))


def decode_choice(plain: bytes) -> dict:
    size = int.from_bytes(plain[:2], "big")
    return json.loads(plain[2 : 2 + size])


def seal(public_key: bytes, plain: bytes, context: bytes) -> bytes:
    """Encrypt ``plain`` to ``public_key``; ``context`` (the cycle) is bound."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(RAW, RAW_PUBLIC)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    key = _kdf(shared, b"pbvote-ballot-v1" + ephemeral_public + public_key)
    nonce = os.urandom(12)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plain, context)


def open_sealed(private_key: bytes, sealed: bytes, context: bytes) -> bytes:
    private = X25519PrivateKey.from_private_bytes(private_key)
    public = private.public_key().public_bytes(RAW, RAW_PUBLIC)
    ephemeral_public, nonce, ciphertext = sealed[:32], sealed[32:44], sealed[44:]
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _kdf(shared, b"pbvote-ballot-v1" + ephemeral_public + public)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context)
    except InvalidTag as exc:
        raise SealError("a ballot cannot be opened") from exc


def ballot_context(cycle_id: int) -> bytes:
    """What a sealed ballot is bound to: its cycle. The scope is inside the sealed
    choice, not beside it, so a chain row does not tell whose district it is."""
    return f"pbvote:cycle:{cycle_id}:v2".encode()


def receipt_of(sealed: bytes) -> str:
    """The receipt: SHA-256 of the sealed ballot, hex."""
    return hashlib.sha256(sealed).hexdigest()


@lru_cache(maxsize=64)  # a cycle's key, once per process: every cast's SMS shows it
def fingerprint(public_key: bytes) -> str:
    """A public key's fingerprint as people compare it: the first 128 bits of its
    SHA-256, in groups of four hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def same_fingerprint(public_key: bytes, typed: str) -> bool:
    """Whether ``typed`` (a fingerprint, spaces and case free, or the whole key
    in hex) names ``public_key``."""
    text = "".join(c for c in (typed or "").lower() if c in "0123456789abcdef")
    wanted = fingerprint(public_key).replace(" ", "")
    return len(text) >= 32 and (text == wanted or text == public_key.hex())


def chain_link(previous: str, receipt: str) -> str:
    """Each ballot's link: SHA-256 over the previous link and its receipt."""
    return hashlib.sha256(f"{previous}:{receipt}".encode()).hexdigest()


def sign(private_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):  # a wrong signature or a malformed key
        return False
    return True
