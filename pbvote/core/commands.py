"""CLI commands contributed by domains: each domain may expose ``commands`` (a list
of click commands) in ``pbvote/<domain>/commands.py``."""

from importlib import import_module, util


def domain_commands() -> list:
    from pbvote import DOMAINS

    commands = []
    for name in DOMAINS:
        if util.find_spec(f"pbvote.{name}.commands"):
            commands.extend(import_module(f"pbvote.{name}.commands").commands)
    return commands
