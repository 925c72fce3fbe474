"""`autograder check` on a student's own machine: the public tests beside the notebook, with or
without a sandbox; unconfined, it says so."""

from __future__ import annotations

import shutil

from rich.console import Console

from autograder.grade import check
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
