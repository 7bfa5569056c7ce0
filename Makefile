# merchant-assistant — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PY    := .venv/bin/python
RASA  := RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore .venv-rasa/bin/rasa
MODEL := models/merchant-assistant.tar.gz
AS    ?=
TTL   ?= 3600
STAGE := scripts/stage.sh

.PHONY: run test install train db reset-demo token link-telegram break lint unit validate rasa-test nlu-test e2e e2e-production bench clean

run: install train db  ## install, train if needed, load the demo, start everything [PROFILE=production]
	@$(PY) -m bot.run

install:  ## create .venv-rasa and .venv, front-end libraries, .env secrets (idempotent)
	@scripts/install.sh

train: install  ## train the Rasa model when data/, config or domain changed
	@scripts/train.sh

db: install  ## migrate the database and load the demo data when it is empty (PROFILE=production: PostgreSQL)
	@$(PY) -m bot.production
	@$(PY) -m bot.platform.demo --if-empty

reset-demo: install  ## put the demo data back
	@$(PY) -m bot.platform.demo --reset

token: install  ## print a web-chat session token: make token AS=olivia@demo-kitchen.test [TTL=3600]
	@$(PY) -m bot.tokens --as "$(AS)" --ttl "$(TTL)"

link-telegram: install  ## print a one-time Telegram link code: make link-telegram AS=olivia@demo-kitchen.test
	@$(PY) -m bot.platform.telegram_link_cli --as "$(AS)"

break: install  ## SANDBOX: disconnect a working store link: make break PROVIDER="Just Eat" LOCATION=Downtown ERROR=invalid_credentials [BRAND=…] [CASE=…]
	@$(PY) -m bot.platform.break_cli --provider "$(PROVIDER)" --location "$(LOCATION)" --error "$(ERROR)" --brand "$(BRAND)" --case "$(CASE)"

test: install  ## every check: lint, unit/integration, validate, train, stories, NLU, end to end
	@mkdir -p var && : > var/test-times.txt
	@$(STAGE) "browser install" scripts/install_browser.sh
	@$(STAGE) lint $(MAKE) --no-print-directory lint
	@$(STAGE) unit+integration $(PY) -m pytest -q tests/unit tests/integration
	@$(STAGE) "rasa data validate" $(MAKE) --no-print-directory validate
	@$(STAGE) train $(MAKE) --no-print-directory train
	@$(STAGE) "rasa test stories" $(MAKE) --no-print-directory rasa-test
	@$(STAGE) "rasa test nlu (held out)" $(MAKE) --no-print-directory nlu-test
	@$(STAGE) e2e $(PY) -m pytest -q tests/e2e
	@$(STAGE) "e2e (production profile)" $(MAKE) --no-print-directory e2e-production
	@echo "=== stage times"; cat var/test-times.txt

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

unit:
	$(PY) -m pytest -q tests/unit tests/integration

validate:
	$(RASA) data validate --domain domain --fail-on-warnings

rasa-test:
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core

nlu-test:
	$(PY) scripts/check_nlu_f1.py --model $(MODEL)

e2e:
	$(PY) -m pytest -q tests/e2e

e2e-production:  ## the end-to-end tests against PROFILE=production (PostgreSQL, Redis, 3 Rasa workers, 2 gateway processes), then the fault tests
	E2E_PROFILE=production E2E_RASA_WORKERS=3 $(PY) -m pytest -q tests/e2e

bench: install train  ## benchmarks: latency (full stack vs bare Rasa REST), alert delivery, load (production profile)
	$(PY) bench/latency.py
	$(PY) bench/alerts.py
	$(PY) bench/load.py

clean:
	rm -rf results var/log
