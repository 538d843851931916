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
    "voting",
    "results",
    "accountability",
    "guides",
    "api",
)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application: defaults, environment, then ``overrides``."""
    app = Flask(
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

    from pbvote.app_setup import init_extensions, register_domains, register_errors

    init_extensions(app)
    register_domains(app, DOMAINS)
    register_errors(app)
    return app
