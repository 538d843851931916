"""Wiring done once per app: extensions, domains, error pages, headers."""

from importlib import import_module, util

from flask import Flask, current_app, render_template, request
from flask.templating import Environment
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from pbvote.core import guards, i18n, layout
from pbvote.core.session_cookie import KeptKeySessionInterface
from pbvote.extensions import babel, csrf, db, login_manager, migrate


class SharedGlobalsEnvironment(Environment):
    """Flask's Jinja environment whose templates read the environment's globals
    themselves when they have none of their own (no pbvote template has).

    Jinja gives each template a ChainMap over the globals: every render copied
    the sixty-odd globals into its context one Python call at a time, and every
    ``{% import %}`` compared them one by one, about a twentieth of a voting
    page's CPU (issue 13). A plain dict is copied and compared in C. As with the
    ChainMap, globals added to the environment later are seen by every template.
    Template-specific globals (``get_template(name, globals=...)``, which pbvote
    never passes) still get Jinja's own ChainMap."""

    def make_globals(self, d):
        if not d:
            return self.globals
        return super().make_globals(d)


class PbvoteFlask(Flask):
    jinja_environment = SharedGlobalsEnvironment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._synchronous = {}

    def ensure_sync(self, func):
        """Flask's, remembered per function: it asked ``inspect`` again about each
        hook, context processor and view on every request (issue 13)."""
        try:
            return self._synchronous[func]
        except KeyError:
            synchronous = self._synchronous[func] = super().ensure_sync(func)
            return synchronous
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def init_extensions(app: Flask) -> None:
    app.session_interface = KeptKeySessionInterface()
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(app.root_path + "/../migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    guards.register(app)
    csrf.init_app(app)
    # No Babel time zone: pbvote.core.i18n converts moments to the commune's zone.
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.resident_login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "strong"
    i18n.register_template_helpers(app)
    layout.register(app)
    app.after_request(_security_headers)

    from pbvote import cli

    cli.register(app)


def register_domains(app: Flask, domains) -> None:
    for name in domains:
        if util.find_spec(f"pbvote.{name}.models"):
            import_module(f"pbvote.{name}.models")
        views = import_module(f"pbvote.{name}.views")
        app.register_blueprint(views.bp)
    _run_app_context_processors_once(app)
    from pbvote.core import jobs, ratelimit  # noqa: F401 - register their tables


def _run_app_context_processors_once(app: Flask) -> None:
    """Flask copies its default context processor (g, request, session) into each
    blueprint's own list, so every page of a blueprint ran it twice: a blueprint's
    list keeps only what the app's list does not already run."""
    everywhere = app.template_context_processors[None]
    for name, processors in app.template_context_processors.items():
        if name is not None:
            processors[:] = [p for p in processors if p not in everywhere]


# No third-party origin is ever needed: fonts, styles and scripts are vendored.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
_HSTS = "Strict-Transport-Security"


def _security_headers(response):
    """Each header, unless the view set its own (a file's sandbox policy). The
    names already set are read once: Werkzeug's ``setdefault`` went through the
    response's headers three times for each (issue 13)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    hsts = current_app.config["HSTS_SECONDS"]
    if hsts and _HSTS.lower() not in present:
        headers.add(_HSTS, f"max-age={hsts}; includeSubDomains")
    return response


def _error_page(status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return {"error": title, "message": message}, status
    return render_template(
        "error.html", status=status, title=title, message=message
    ), status


def register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(
            400,
            _("The form has expired"),
            _(
                "For your security the form could not be accepted. "
                "Go back, reload the page and send it again."
            ),
        )

    @app.errorhandler(guards.UnacceptableCharacter)
    def unacceptable_character(error):
        return _error_page(400, _("Character not accepted"), error.description)

    @app.errorhandler(400)
    def bad_request(error):
        return _error_page(
            400,
            _("Bad request"),
            _("The request could not be understood. Please try again."),
        )

    @app.errorhandler(403)
    def forbidden(error):
        return _error_page(
            403,
            _("Not allowed"),
            _("Your account does not have the role needed for this page."),
        )

    @app.errorhandler(404)
    def not_found(error):
        return _error_page(
            404, _("Page not found"), _("This page does not exist or was moved.")
        )

    @app.errorhandler(405)
    def wrong_method(error):
        return _error_page(
            405, _("Not allowed"), _("This address cannot be used that way.")
        )

    @app.errorhandler(413)
    def too_large(error):
        return _error_page(
            413,
            _("File too large"),
            _(
                "What you sent is too large. Files may be at most %(size)s MB.",
                size=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
            ),
        )

    @app.errorhandler(429)
    def too_many(error):
        return _error_page(
            429, _("Too many attempts"), _("Please wait a little and try again.")
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _error_page(
            500,
            _("Something went wrong"),
            _("Nothing you sent was lost: please try again in a moment."),
        )
