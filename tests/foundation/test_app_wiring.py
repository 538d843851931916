"""What pbvote.app_setup changes in Flask's wiring to spend less CPU on each
request (issue 13) keeps Flask's and Jinja's behaviour."""

import pytest
from flask import render_template_string


def test_templates_read_the_environments_globals(app):
    """pbvote.app_setup.SharedGlobalsEnvironment: as with Jinja's ChainMap, a
    global added later is seen, and a template's own globals stay its own."""
    env = app.jinja_env
    with app.test_request_context("/"):
        template = env.from_string("{{ added_later }}")
        env.globals["added_later"] = "seen"
        try:
            assert template.render() == "seen"
        finally:
            del env.globals["added_later"]
        own = env.from_string("{{ mine }}", globals={"mine": "its own"})
        assert own.render() == "its own" and "mine" not in env.globals
        assert render_template_string("{{ phase_label('voting') }}") == "Voting"


def test_the_app_asks_once_whether_a_function_is_a_coroutine(app):
    def hook():
        return "sync"

    async def coroutine():
        return "async"

    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    for _ in range(2):  # as Flask does without its "async" extra
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(coroutine)


def test_a_page_runs_each_context_processor_once(app):
    """Flask copies its default processor into every blueprint's list; the app's
    list already runs it for every page."""
    everywhere = set(app.template_context_processors[None])
    assert len(everywhere) == len(app.template_context_processors[None])
    for name, processors in app.template_context_processors.items():
        if name is not None:
            assert not everywhere & set(processors), name
