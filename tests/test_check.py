"""`autograder check` on a student's own machine: the public tests beside the notebook, with or
without a sandbox; unconfined, it says so."""

from __future__ import annotations

import shutil

import pytest
from rich.console import Console

from autograder.course import CourseError
from autograder.grade import check, detect_assignment
from autograder.sandbox import bubblewrap
from autograder.sandbox.template import Sandbox
from tests.conftest import TASKS_TOML, write_submission


def _release_folder(toy_course, tmp_path):
    folder = tmp_path / "student"
    notebook = write_submission(folder, {})
    (folder / "tasks.toml").write_text(TASKS_TOML)
    shutil.copytree(toy_course.public_tests("toy"), folder / "tests")
    return notebook


def test_check_without_a_sandbox__runs_the_public_tests_and_says_it_ran_unconfined(toy_course, tmp_path):
    notebook = _release_folder(toy_course, tmp_path)
    console = Console(record=True, width=120)
    with Sandbox(("torch",), mode=bubblewrap.NONE, allow_unconfined=True) as sandbox:
        result = check(notebook=notebook, hw="toy", console=console, sandbox=sandbox)
    assert result.sandbox["mode"] == "none"
    assert result.tests and all(t.visibility == "visible" for t in result.tests)
    assert result.tasks["add"].status == "passed"
    assert "no sandbox on this machine" in console.export_text()


def test_check_in_a_sandbox__does_not_claim_to_be_unconfined(toy_course, tmp_path):
    notebook = _release_folder(toy_course, tmp_path)
    console = Console(record=True, width=120)
    result = check(notebook=notebook, hw="toy", console=console)
    assert result.sandbox["mode"] in (bubblewrap.ROOT, bubblewrap.USERNS)
    assert "no sandbox" not in console.export_text()


def test_check__prints_public_checks_passed_and_that_hidden_tests_decide(toy_course, tmp_path):
    notebook = _release_folder(toy_course, tmp_path)
    console = Console(record=True, width=160)
    with Sandbox(("torch",), mode=bubblewrap.NONE, allow_unconfined=True) as sandbox:
        check(notebook=notebook, hw="toy", console=console, sandbox=sandbox)
    text = console.export_text()
    assert "public checks passed" in text and "1 / 1" in text
    assert "grade comes from hidden tests" in text
    assert "total" not in text, "a check never shows a score total"


def test_detect_assignment__from_the_task_cells_of_a_renamed_notebook(toy_course, tmp_path):
    renamed = write_submission(tmp_path, {}, name="toy (1).ipynb")
    assert detect_assignment(renamed, toy_course) == "toy"
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    with pytest.raises(CourseError, match="pass --hw"):
        detect_assignment(other / "x.ipynb", toy_course)
