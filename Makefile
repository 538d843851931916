# The two commands: `make demo` (run the seeded site) and `make test` (the whole suite).
.PHONY: demo test translations migration worker
VENV ?= .venv
export PBVOTE_ENV ?= development

demo:
	bash tools/demo.sh

test:
	bash tools/test.sh

translations:
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o pbvote/translations/messages.pot .
	$(VENV)/bin/pybabel update -i pbvote/translations/messages.pot -d pbvote/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -f -d pbvote/translations

migration:
	bash tools/regen-initial-migration.sh

worker:
	$(VENV)/bin/pbvote worker
