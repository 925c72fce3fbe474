# The two commands a fresh machine needs: `make demo` and `make test` (both install first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo-out

.PHONY: install lock demo test test-fast release lint bench clean

install: $(STAMP)

# Re-installs only when pyproject.toml or the lock changes: first the exact versions of
# requirements/ci.lock (the dependencies and the dev extra; torch and torchvision come from this
# machine's disk), then the kit itself without resolving anything again.
$(STAMP): pyproject.toml requirements/ci.lock
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } || \
		echo "warning: bubblewrap is missing (apt-get install bubblewrap): grading will refuse to run unsandboxed"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/ci.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Regenerates requirements/ci.lock and requirements/gradescope.lock after a change to pyproject.toml's
# dependencies (why uv, and what each lock holds: requirements/lock.py). uv is installed into a
# scratch venv of its own, never into .venv; the locks are installed with plain pip.
LOCK_VENV := $(or $(TMPDIR),/tmp)/autograder-lock-venv
lock:
	test -x $(LOCK_VENV)/bin/uv || { $(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/python -m pip install --quiet "uv>=0.13,<0.14"; }
	$(PYTHON) requirements/lock.py $(LOCK_VENV)/bin/uv

# The demo writes only under $(DEMO)/: release/ and solutions/ are committed and fresh (a test
# checks), so it grades them as they are and changes no committed file.
demo: install
	rm -rf $(DEMO) && mkdir -p $(DEMO)/submissions
	cp solutions/hw2_contrastive/hw2_contrastive.ipynb $(DEMO)/submissions/solution.ipynb
	cp release/hw2_contrastive/hw2_contrastive.ipynb $(DEMO)/submissions/untouched_release.ipynb
	cp examples/hw2_contrastive/student_mistake.ipynb $(DEMO)/submissions/student_mistake.ipynb
	$(BIN)/autograder grade --hw hw2_contrastive $(DEMO)/submissions --out $(DEMO)/results
	# hw1 class competition, offline: build it, run the solution notebook (smoke mode) against it,
	# and score the submission.csv it writes as the public and private leaderboards would.
	$(BIN)/autograder competition build --out $(DEMO)/hw1_pretext/competition
	HW1_PRETEXT_DIR=$(CURDIR)/$(DEMO)/hw1_pretext $(BIN)/jupyter execute solutions/hw1_pretext/hw1_pretext.ipynb
	$(BIN)/autograder competition score $(DEMO)/hw1_pretext/submission.csv --competition $(DEMO)/hw1_pretext/competition

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

release: install
	$(BIN)/autograder release

lint: install
	$(BIN)/ruff check autograder tests hidden_tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/grade_one.py
	$(BIN)/python bench/grade_class.py --count 200 --jobs 2

clean:
	rm -rf $(DEMO) grades .mypy_cache .ruff_cache
