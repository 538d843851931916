"""``python -m pbvote.engine FILE.pb --rule RULE``: see :mod:`pbvote.engine.cli`."""

from pbvote.engine.cli import main

raise SystemExit(main())
