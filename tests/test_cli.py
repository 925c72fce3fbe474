"""The CLI's surface: every verb answers --help, and user errors print a message, not a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

VERBS = ["release", "grade", "check", "audit", "feedback", "gradescope", "merge", "competition"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb__answers_help(verb):
    run = cli(verb, "--help")
    assert run.returncode == 0 and "Usage:" in run.stdout


def test_grade_options__match_the_contract():
    text = cli("grade", "--help").stdout
    for option in ("--hw", "--json", "--jobs", "--out", "--shard", "--gradebook"):
        assert option in text


def test_unknown_assignment__is_a_message_not_a_traceback():
    run = cli("grade", "--hw", "hw9_missing", "x.ipynb")
    assert run.returncode == 2 and "unknown assignment 'hw9_missing'" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_missing_submission__is_a_message_not_a_traceback(tmp_path):
    run = cli("grade", "--hw", "hw2_contrastive", str(tmp_path / "nothing.ipynb"))
    assert run.returncode == 2 and "no such file or folder" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
