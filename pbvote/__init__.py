"""pbvote: participatory budgeting and e-voting for the commune of Ouazzane."""

from pathlib import Path

from flask import Flask

from pbvote import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each domain is a package with ``views.bp`` and, where it stores data, ``models``.
DOMAINS = (
    "pages",
    "accounts",
    "communes",
    "cycles",
    "audit",
    "sms",
    "associations",
    "proposals",
    "reviews",
    "meetings",
    "surveys",
    "bodies",
    "voting",
    "results",
    "polls",
    "accountability",
    "notifications",
    "holidays",
    "petitions",
    "inforequests",
    "complaints",
    "indicators",
    "guides",
    "api",
)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application: defaults, environment, then ``overrides``."""
    import pbvote.core.prepared  # noqa: F401 - its engine listeners keep statements prepared
    from pbvote.app_setup import (
        PbvoteFlask,
        init_extensions,
        register_domains,
        register_errors,
    )

    app = PbvoteFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(config_module.defaults(app.instance_path))
    config_module.from_environment(app.config)
    app.config.from_prefixed_env("PBVOTE")
    app.config.update(overrides or {})
    config_module.finalise(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    init_extensions(app)  # before the domains: it sets the bounded <int:> converter
    register_domains(app, DOMAINS)
    register_errors(app)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address (rate limits) and scheme come from the last
        # TRUSTED_PROXIES entries of X-Forwarded-For/-Proto, never from the client.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app
