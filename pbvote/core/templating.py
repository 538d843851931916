"""Template globals that a domain gives every page."""

from collections.abc import Callable

from flask import Blueprint


def template_globals(bp: Blueprint) -> Callable:
    """Decorator: the decorated function returns ``bp``'s domain's template
    globals (labels, helpers that read the visitor when called), set on the app
    once when ``bp`` is registered. A context processor ran for every page of
    every domain (issue 13)."""

    def register(make: Callable[[], dict]) -> Callable[[], dict]:
        bp.record_once(lambda state: state.app.jinja_env.globals.update(make()))
        return make

    return register
