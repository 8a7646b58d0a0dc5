# Build, test and quality gates of the mmops.mattermost collection.
# Users run `make demo` and `make test`; `make help` lists every target.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

# --- Python virtual environment ---------------------------------------------
VENV ?= .venv
VENV_ABS := $(abspath $(VENV))
# Prefer python3.11 (the newest Python ansible-core 2.19 supports on this box);
# check that it really runs, since a pyenv shim may exist without an interpreter.
BOOTSTRAP_PYTHON ?= $(shell python3.11 -c 'import sys' >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV_STAMP := $(VENV)/.requirements.stamp

# Every recipe (and every sub-command it starts) finds the venv's tools first.
export PATH := $(VENV_ABS)/bin:$(PATH)

# --- Paths ------------------------------------------------------------------
BUILD := .build
# The collection run straight from the source tree: .../mmops/mattermost -> repo root.
COLLECTIONS_ROOT := $(CURDIR)/$(BUILD)/collections
COLLECTION_LINK := $(BUILD)/collections/ansible_collections/mmops/mattermost
# A copy of the collection for ansible-test, which needs ansible_collections/<ns>/<name>.
SANITY_DIR := $(BUILD)/sanity/ansible_collections/mmops/mattermost
DIST_DIR := $(BUILD)/dist
INSTALLED_ROOT := $(CURDIR)/$(BUILD)/installed
INSTALLED_DIR := $(INSTALLED_ROOT)/ansible_collections/mmops/mattermost

# Environment for everything that runs Ansible against the source tree.
# ANSIBLE_PYTHON_INTERPRETER avoids interpreter discovery picking a dead pyenv shim.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_ROOT) \
	ANSIBLE_PYTHON_INTERPRETER=$(VENV_ABS)/bin/python \
	ANSIBLE_RETRY_FILES_ENABLED=0

# --- ansible-test sanity ----------------------------------------------------
SANITY_PYTHON ?= 3.11
# ansible-test bootstraps pip into each per-test venv with a "get-pip" script that it
# downloads from ci-files.testing.ansible.com (unreachable here) unless it is cached as
# ~/.ansible/test/cache/get_pip_<pip version with _>.py. The version is hard-coded in
# ansible_test/_internal/python_requirements.py:get_venv_packages() (pip 24.2 for
# ansible-core 2.19); scripts/ansible-test-get-pip.sh reads it from there and writes
# a replacement that bootstraps pip with ensurepip and then installs that exact pip
# from PyPI.
# No --requirements: in ansible-core 2.19 every sanity test that needs packages (ansible-doc,
# changelog, import, pep8, pylint, runtime-metadata, validate-modules, yamllint, and the
# shared "sanity" venv of action-plugin-docs) installs them into a venv of its own under
# ~/.ansible/test/venv, whatever the flag says; --requirements would only add packages to
# .venv, which needs none. First run ~1 min (venvs built), later runs reuse them.
# Sanity tests skipped, and why:
#   (none) - every test ansible-core 2.19 runs for a collection works here (only PyPI
#            reachable) once the get-pip script is cached. shellcheck is skipped by
#            ansible-test itself, with a warning, when no shellcheck binary is on PATH.
SANITY_SKIPS ?=
SANITY_ARGS ?=

# --- pytest -----------------------------------------------------------------
# Extra pytest arguments, e.g. make units PYTEST_ARGS='-k client -x'.
PYTEST_ARGS ?=
# Integration tests each run ansible-playbook against the simulator; spread them over
# the cores (pytest-xdist). Use INTEGRATION_WORKERS=0 to run them serially.
INTEGRATION_WORKERS ?= auto
# The execution paths the integration and reliability suites run on: the API modules' code inside Ansible's
# worker (true, the default for tasks on the controller) and the module path (false). IN_PROCESS=false runs one.
IN_PROCESS ?= true false

# Extra ansible-playbook arguments for make demo, e.g. make demo ARGS=--diff.
ARGS ?=

.PHONY: help venv collection-link units integration sanity lint style docs build \
	changelog-lint docs-lint docsite galaxy-import ee molecule reliability core-matrix e2e test sim demo bench clean distclean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- Environment ------------------------------------------------------------
venv: $(VENV_STAMP) ## Create .venv with the pinned dev toolchain (reruns when requirements change)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements-dev.txt
	touch $@

collection-link: $(VENV_STAMP) ## Make the source tree importable as ansible_collections.mmops.mattermost
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

# --- Quality gates ----------------------------------------------------------
lint: collection-link ## ansible-lint, production profile (includes yamllint); config in .ansible-lint
	$(ANSIBLE_ENV) $(VENV)/bin/ansible-lint

# ruff's and mypy's settings: ruff.toml and mypy.ini. mypy reads plugins/ through the collection link.
style: collection-link ## ruff (lint, format check) on the Python; mypy on plugins/
	$(VENV)/bin/ruff check plugins tests scripts
	$(VENV)/bin/ruff format --check plugins tests scripts
	$(VENV)/bin/mypy

sanity: $(VENV_STAMP) ## ansible-test sanity on a copy of the collection under .build/sanity
	scripts/ansible-test-get-pip.sh $(VENV)/bin/python
	scripts/sanity-tree.sh $(SANITY_DIR)
	cd $(SANITY_DIR) && $(VENV_ABS)/bin/ansible-test sanity --local --python $(SANITY_PYTHON) \
		--color no $(foreach t,$(SANITY_SKIPS),--skip-test $(t)) $(SANITY_ARGS)

units: collection-link ## Unit tests (pytest tests/unit)
	PYTHONPATH=$(COLLECTIONS_ROOT) $(ANSIBLE_ENV) $(VENV)/bin/python -m pytest tests/unit $(PYTEST_ARGS)

integration: collection-link ## Integration tests: real ansible-playbook runs against the simulator, on both execution paths
	scripts/ensure-test-packages.sh
	for in_process in $(IN_PROCESS); do \
		echo "integration with MMOPS_MATTERMOST_IN_PROCESS=$$in_process"; \
		MMOPS_MATTERMOST_IN_PROCESS=$$in_process PYTHONPATH=$(COLLECTIONS_ROOT) $(ANSIBLE_ENV) $(VENV)/bin/python -m pytest \
			tests/integration -n $(INTEGRATION_WORKERS) $(PYTEST_ARGS); \
	done

reliability: collection-link ## Reliability and security suite (faults, hostile input, secrets, host files, TLS); lists every case
	scripts/ensure-test-packages.sh
	for in_process in $(IN_PROCESS); do \
		echo "reliability with MMOPS_MATTERMOST_IN_PROCESS=$$in_process"; \
		MMOPS_MATTERMOST_IN_PROCESS=$$in_process PYTHONPATH=$(COLLECTIONS_ROOT) $(ANSIBLE_ENV) $(VENV)/bin/python -m pytest \
			tests/reliability -rA -n $(INTEGRATION_WORKERS) --dist loadgroup $(PYTEST_ARGS); \
	done

# ansible-core releases besides .venv's 2.19: sanity and units on each, integration on the oldest, which runs with
# the lowest supported runtime requirements (tests/requirements-lowest.txt). Each gets a venv under .build/core/.
CORE_OLDEST ?= 2.16.19
CORE_OTHERS ?= 2.17.14 2.18.19
core-matrix: collection-link ## Sanity and units on ansible-core 2.16-2.18, integration on 2.16 with the lowest requirements
	scripts/ensure-test-packages.sh
	scripts/core-matrix.sh $(CORE_OLDEST) --lowest --integration
	for version in $(CORE_OTHERS); do scripts/core-matrix.sh $$version; done

# The real Mattermost servers of tests/e2e/versions.json, built from the Go module on first use (cached under
# ~/.cache/mmops.mattermost), with PostgreSQL; then the contract suite holds the simulator to the same answers.
# MMOPS_E2E_SERVERS="11.4" runs one server only.
e2e: collection-link ## Real-server tests and the simulator contract suite; writes .build/e2e/summary.json
	scripts/ensure-test-packages.sh
	$(VENV)/bin/python scripts/build-mattermost.py $(MMOPS_E2E_SERVERS)
	PYTHONPATH=$(COLLECTIONS_ROOT):$(CURDIR)/tests $(ANSIBLE_ENV) $(VENV)/bin/python -m pytest -p support.e2e_plugin tests/e2e tests/contract -rf --durations=10 $(PYTEST_ARGS)

molecule: collection-link ## Role scenarios under extensions/molecule/ on localhost, no containers: converge, idempotence, verify
	$(ANSIBLE_ENV) $(VENV)/bin/molecule test --all 2>&1 | tee $(BUILD)/molecule.log
	@! grep -n CRITICAL $(BUILD)/molecule.log || { echo "molecule logged CRITICAL lines (above)" >&2; exit 1; }

build: $(VENV_STAMP) ## Build the collection tarball into .build/dist and install it into .build/installed
	rm -rf $(DIST_DIR) $(INSTALLED_ROOT)
	$(VENV)/bin/ansible-galaxy collection build --output-path $(DIST_DIR) --force
	scripts/check-artifact.sh $(DIST_DIR)/mmops-mattermost-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(INSTALLED_ROOT) $(VENV)/bin/ansible-galaxy collection install --offline --force -p $(INSTALLED_ROOT) \
		$(DIST_DIR)/mmops-mattermost-*.tar.gz

docs: build ## ansible-doc renders every module and role of the installed artifact, warning-free
	ANSIBLE_COLLECTIONS_PATH=$(INSTALLED_ROOT) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=0 \
		scripts/check-docs.sh $(INSTALLED_DIR)

COLLECTION_VERSION := $(shell awk '/^version:/ {print $$2}' galaxy.yml)

galaxy-import: build ## galaxy-importer (what Galaxy and Automation Hub run) on the built tarball, failing on any warning
	scripts/galaxy-import.sh $(DIST_DIR)/mmops-mattermost-$(COLLECTION_VERSION).tar.gz

ee: build ## The execution environment's build context (ansible-builder create: no container engine needed) in .build/ee
	rm -rf $(BUILD)/ee
	$(VENV)/bin/ansible-builder create --file execution-environment.yml --context $(BUILD)/ee --output-filename Containerfile
	test -f $(BUILD)/ee/_build/collections/mmops-mattermost-$(COLLECTION_VERSION).tar.gz \
		|| { echo "execution-environment.yml does not name the tarball of version $(COLLECTION_VERSION)" >&2; exit 1; }
	grep -q 'ansible-galaxy collection install' $(BUILD)/ee/Containerfile

docs-lint: collection-link ## antsibull-docs lint-collection-docs: plugin and role docs, extra docs (docs/docsite)
	$(ANSIBLE_ENV) $(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs $(COLLECTION_LINK)

# Not part of `make test` (it adds Sphinx to .venv). Cross-references into docs.ansible.com stay unresolved offline,
# so Sphinx's warnings are shown rather than fatal.
DOCSITE := $(BUILD)/docsite
docsite: collection-link ## HTML docs of the modules, roles and playbooks (antsibull-docs + Sphinx) in .build/docsite/build/html
	$(VENV)/bin/python -m pip install --quiet -r docs/requirements-docsite.txt
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE) && chmod 700 $(DOCSITE)
	$(ANSIBLE_ENV) $(VENV)/bin/antsibull-docs sphinx-init --use-current --dest-dir $(DOCSITE) mmops.mattermost
	mkdir -p $(DOCSITE)/rst && chmod og-w $(DOCSITE)/rst
	cd $(DOCSITE) && $(ANSIBLE_ENV) $(VENV_ABS)/bin/antsibull-docs --config-file antsibull-docs.cfg collection --use-current \
		--cleanup everything --dest-dir rst mmops.mattermost
	cd $(DOCSITE) && $(VENV_ABS)/bin/sphinx-build -M html rst build -c . -q
	@echo "docsite: $(DOCSITE)/build/html/index.html"

changelog-lint: $(VENV_STAMP) ## Lint the changelog fragments and changelogs/changelog.yaml
	$(VENV)/bin/antsibull-changelog lint
	$(VENV)/bin/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# Fastest checks first, so a typo fails in seconds rather than after the slow suites
# (approximate times on 2 cores: changelog-lint <1 s, lint 2 s, build+docs 2 s,
# units seconds, sanity ~15 s (~1 min the first time, building its venvs), integration
# minutes).
test: changelog-lint lint style docs-lint build docs galaxy-import ee units sanity integration reliability molecule core-matrix e2e ## Every gate (what CI runs)

# --- Running it -------------------------------------------------------------
sim: $(VENV_STAMP) ## Start the Mattermost simulator in the foreground on port 8065
	PYTHONPATH=tests/simulator $(VENV)/bin/python -m mmsim --port 8065

demo: collection-link ## Run the demo playbook against the simulator twice (2nd run: changed=0)
	@$(ANSIBLE_ENV) VENV=$(VENV_ABS) scripts/demo.sh $(ARGS)

# Not part of `make test`: ~25 min on 2 cores, and it prints numbers instead of passing or failing.
bench: collection-link ## Benchmark against the simulator (~10 min on 2 cores): requests; 50-server no-op/all-changed for plugin_set in-process and module path, a plugin loop and uri; drift.yml over 1,000 servers; upload memory
	$(ANSIBLE_ENV) $(VENV)/bin/python scripts/bench.py

# --- Cleaning ---------------------------------------------------------------
clean: ## Remove build and test output (keeps .venv)
	rm -rf $(BUILD) tests/output .pytest_cache .mypy_cache .ruff_cache

distclean: clean ## clean, and also remove .venv
	rm -rf $(VENV)
