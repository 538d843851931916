"""Make the regenerated initial migration create PostgreSQL-only objects on
PostgreSQL only (run by tools/regen-initial-migration.sh, before ruff formats it).

Alembic autogenerates against SQLite and renders every index, ignoring
``Index.ddl_if(dialect="postgresql")``: indexes with ``postgresql_using`` (the
proposals' trigram search index) would become plain indexes on SQLite. They move
out of the batch blocks into one ``if`` on the dialect, after the extensions they
need are created.
"""

import re
import sys
from pathlib import Path

EXTENSIONS = ("pg_trgm",)
GUARD = '    if op.get_bind().dialect.name == "postgresql":\n'


def main(path: str) -> None:
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    upgrade, downgrade, kept = [], [], []
    section = None
    for line in lines:
        if line.startswith("def upgrade"):
            section = "upgrade"
        elif line.startswith("def downgrade"):
            section = "downgrade"
        call = re.match(r"\s+batch_op\.(create_index|drop_index)\((.*)\)$", line)
        if call and "postgresql_using=" in line:
            table = _current_table(kept)
            args = call.group(2).replace("batch_op.f(", "op.f(")
            name, rest = args.split(",", 1)
            statement = f"        op.{call.group(1)}({name}, {table!r},{rest})"
            (upgrade if section == "upgrade" else downgrade).append(statement)
            continue
        kept.append(line)
    text = "\n".join(_drop_empty_batches(kept))
    create = [
        f'        op.execute("CREATE EXTENSION IF NOT EXISTS {e}")' for e in EXTENSIONS
    ]
    head = GUARD + "\n".join(create + upgrade) + "\n"
    end = "    # ### end Alembic commands ###"
    first_end = text.index(end)
    text = text[:first_end] + head + text[first_end:]
    if downgrade:
        start = text.index("def downgrade():\n") + len("def downgrade():\n")
        start = text.index("\n", start) + 1  # after Alembic's comment line
        text = text[:start] + GUARD + "\n".join(downgrade) + "\n" + text[start:]
    Path(path).write_text(text, encoding="utf-8")


def _current_table(lines: list[str]) -> str:
    for line in reversed(lines):
        found = re.search(r"batch_alter_table\('([^']+)'", line)
        if found:
            return found.group(1)
    raise SystemExit("a PostgreSQL-only index outside a batch block")


def _drop_empty_batches(lines: list[str]) -> list[str]:
    """A batch block left empty keeps a ``pass``."""
    result = []
    for index, line in enumerate(lines):
        result.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if "batch_alter_table(" in line and not following.startswith(" " * 8):
            result.append("        pass")
    return result


if __name__ == "__main__":
    main(sys.argv[1])
