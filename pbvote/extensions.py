"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from flask import current_app, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep migrations identical on PostgreSQL and SQLite
# and let Alembic's batch mode alter SQLite tables.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SignInProtection(LoginManager):
    """Flask-Login whose "strong" session protection looks only at sessions that
    hold a sign-in (or requests that bring a remember cookie): those are what it
    protects, by clearing them when the address or browser changes.

    Flask-Login also "clears" a session without any sign-in, such as a voter's
    (CSRF token, verification state): it marks it and deletes a remember cookie
    that does not exist, so every such page re-signed and re-sent the session
    cookie and sent a cookie deletion besides (issue 13)."""

    def _session_protection_failed(self):
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" not in session and remember not in request.cookies:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = SignInProtection()
babel = Babel()
csrf = CSRFProtect()
