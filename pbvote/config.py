"""Configuration: defaults, then the environment, then explicit overrides (tests).

Config is read here, inside ``create_app``, never at import time.
"""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Secrets that must come from the environment outside development.
REQUIRED_SECRETS = ("SECRET_KEY", "VOTER_ID_KEY", "ELECTION_KEY_WRAP")


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def defaults(instance_path: str) -> dict:
    return {
        "ENV_NAME": "production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'pbvote.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": None,
        "SECRET_KEY": None,
        "VOTER_ID_KEY": None,  # HMAC key for national ID numbers (Law 09-08)
        "ELECTION_KEY_WRAP": None,  # wraps each cycle's election private key
        "SMS_BACKEND": "outbox",  # outbox | http
        "SMS_OUTBOX": str(Path(instance_path) / "sms-outbox.jsonl"),
        "SMS_GATEWAY_URL": None,
        "SMS_GATEWAY_TOKEN": None,
        "SMS_SENDER": "Ouazzane",
        # What the gateway bills per segment, in MAD (the staff SMS page's costs).
        "SMS_SEGMENT_COST_MAD": "0.30",
        # E-mail notifications (pbvote.notifications.mail): outbox | smtp.
        "EMAIL_BACKEND": "outbox",
        "EMAIL_OUTBOX": str(Path(instance_path) / "email-outbox.jsonl"),
        "EMAIL_SMTP_HOST": None,
        "EMAIL_SMTP_PORT": 587,
        "EMAIL_SMTP_USER": None,
        "EMAIL_SMTP_PASSWORD": None,
        "EMAIL_SMTP_TLS": "starttls",  # starttls | ssl | none
        "EMAIL_SENDER": None,  # e.g. "Commune de Ouazzane <participation@...>"
        # Every stored file (proposals/, execution/, reports/: pbvote.core.storage)
        # lives under STORAGE_DIR; UPLOAD_DIR, its older name, is used when it is
        # not set, so existing installations keep their folder.
        "STORAGE_DIR": None,
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),
        "MAX_CONTENT_LENGTH": 26 * 1024 * 1024,  # five 5 MB attachments and a form
        "COMMUNE_SLUG": "ouazzane",
        # Notification SMS per resident per week (the rest stays in the site).
        "NOTIFICATION_SMS_PER_WEEK": 3,
        # Map tiles, e.g. https://tiles.ouazzane.ma/{z}/{x}/{y}.png; None: address only.
        "MAP_TILE_URL": None,
        "MAP_TILE_ATTRIBUTION": "",
        "PUBLIC_BASE_URL": None,  # e.g. https://participation.ouazzane.ma, for SMS links
        "OTP_TTL_SECONDS": 600,
        "OTP_MAX_TRIES": 5,
        "OTP_RESEND_COOLDOWN_SECONDS": 60,
        "OTP_SENDS_PER_NUMBER_PER_HOUR": 5,
        "OTP_SENDS_PER_IP_PER_HOUR": 30,
        "STAFF_LOGIN_FAILURES_PER_15_MIN": 10,
        "PHONE_REGION": "MA",
        "PAGE_SIZE": 20,
        "SESSION_COOKIE_HTTPONLY": True,
        # None: on when ENV_NAME is production (finalise); set false to opt out.
        "SESSION_COOKIE_SECURE": None,
        "HSTS_SECONDS": None,  # production: one year; 0 sends no header
        # How many load balancers/proxies in front set X-Forwarded-For/-Proto.
        "TRUSTED_PROXIES": 0,
        # Sessions end on the server (accounts/sessions.py); the signed cookie is
        # never accepted past the longest of them.
        "STAFF_SESSION_IDLE_MINUTES": 30,
        "STAFF_SESSION_MAX_HOURS": 10,  # a working day
        "RESIDENT_SESSION_IDLE_MINUTES": 20,  # a ballot is read, then sent
        "RESIDENT_SESSION_MAX_MINUTES": 120,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 3 * 3600,
        "BABEL_DEFAULT_LOCALE": "ar_MA",
        "DEFAULT_LANGUAGE": "ar",  # for visitors who have not chosen one
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "pbvote" / "translations"),
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the environment gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(config: dict) -> None:
    env = os.environ
    if env.get("PBVOTE_ENV"):
        config["ENV_NAME"] = env["PBVOTE_ENV"]
    plain = {
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "REDIS_URL": "REDIS_URL",
        "SECRET_KEY": "SECRET_KEY",
        "SMS_BACKEND": "SMS_BACKEND",
        "SMS_OUTBOX": "SMS_OUTBOX",
        "SMS_GATEWAY_URL": "SMS_GATEWAY_URL",
        "SMS_GATEWAY_TOKEN": "SMS_GATEWAY_TOKEN",
        "VOTER_ID_KEY": "VOTER_ID_KEY",
        "ELECTION_KEY_WRAP": "ELECTION_KEY_WRAP",
        "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    }
    for env_name, key in plain.items():
        if env.get(env_name):
            config[key] = env[env_name]


def finalise(config: dict) -> None:
    """Fill development secrets, or refuse to start without real ones."""
    uri = config["SQLALCHEMY_DATABASE_URI"]
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(uri)
    if uri.startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    development = config["ENV_NAME"] in ("development", "testing")
    missing = [name for name in REQUIRED_SECRETS if not config.get(name)]
    if missing and not development:
        raise ConfigError(
            "pbvote refuses to start without real secrets: set "
            + ", ".join(missing)
            + " in the environment (or PBVOTE_ENV=development for a local demo)."
        )
    for name in missing:
        # Development only: fixed, clearly-marked values so the demo works offline.
        config[name] = f"development-only-{name.lower()}-do-not-use-in-production"
    _secure_defaults(config)
    if config["SMS_BACKEND"] not in ("outbox", "http"):
        raise ConfigError("SMS_BACKEND must be 'outbox' or 'http'.")
    if config["SMS_BACKEND"] == "http" and not config.get("SMS_GATEWAY_URL"):
        raise ConfigError(
            "SMS_BACKEND=http needs SMS_GATEWAY_URL (and SMS_GATEWAY_TOKEN)."
        )
    if config["EMAIL_BACKEND"] not in ("outbox", "smtp"):
        raise ConfigError("EMAIL_BACKEND must be 'outbox' or 'smtp'.")
    if config["EMAIL_SMTP_TLS"] not in ("starttls", "ssl", "none"):
        raise ConfigError("EMAIL_SMTP_TLS must be 'starttls', 'ssl' or 'none'.")
    if config["EMAIL_BACKEND"] == "smtp" and not (
        config.get("EMAIL_SMTP_HOST") and config.get("EMAIL_SENDER")
    ):
        raise ConfigError("EMAIL_BACKEND=smtp needs EMAIL_SMTP_HOST and EMAIL_SENDER.")


def _secure_defaults(config: dict) -> None:
    """In production, cookies only over HTTPS and HSTS, unless explicitly set off."""
    production = config["ENV_NAME"] == "production"
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = production
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])
    if config.get("HSTS_SECONDS") is None:
        config["HSTS_SECONDS"] = 365 * 24 * 3600 if production else 0
    config["TRUSTED_PROXIES"] = int(config.get("TRUSTED_PROXIES") or 0)
    # The cookie's signature is never accepted longer than the longest session.
    longest = max(
        timedelta(hours=config["STAFF_SESSION_MAX_HOURS"]),
        timedelta(minutes=config["RESIDENT_SESSION_MAX_MINUTES"]),
    )
    config["PERMANENT_SESSION_LIFETIME"] = min(
        config["PERMANENT_SESSION_LIFETIME"], longest
    )
