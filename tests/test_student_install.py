"""The student install: a wheel built from this repository holds the kit's package and nothing of
the course's secrets (no hidden test, no solution), and ``autograder check`` runs from it alone.

The wheel is built from a copy of the repository (pip builds in the source tree, and the checkout
must not change under the other tests); the copy leaves out only the virtual environment, git's
folder and caches, so it holds hidden_tests/, solutions/ and tests/ as the repository does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.release.leaks import _hidden_test_names, _solution_lines
from autograder.sandbox import FORCE_PORTABLE_VARIABLE
from tests.conftest import PUBLIC_TEST, TASKS_TOML, write_submission

REPO = Path(__file__).resolve().parent.parent
SECRET_FOLDERS = ("hidden_tests", "solutions", "tests", "assignments", "release", "examples")
# Read at run time by a check (pytest's settings for grading) or by the kit's reports.
DATA_FILES = ("autograder/grade/pytest_grading.ini", "autograder/feedback/templates/student.html.j2")
PACKAGE_DATA_FIX = (
    'pyproject.toml needs [tool.setuptools.package-data] autograder = ["grade/*.ini", '
    '"feedback/templates/*.j2", "gradescope/files/*"]'
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "repo"
    skip = shutil.ignore_patterns(
        ".venv", ".git", "*_cache", ".hypothesis", "__pycache__", "*.egg-info", "build", "dist", "*-out"
    )
    shutil.copytree(REPO, source, ignore=skip)
    out = base / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    done = subprocess.run([*build, str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("autograder-*.whl")
    return built


def _names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_holds_the_package_and_its_metadata_only(wheel):
    names = _names(wheel)
    assert "autograder/student.py" in names and "autograder/sandbox/portable.py" in names
    outside = [n for n in names if not n.startswith(("autograder/", "autograder-"))]
    assert outside == [], f"files from outside the package: {outside}"
    secret = [n for n in names if n.split("/")[0] in SECRET_FOLDERS]
    assert secret == [], f"files from the course's folders: {secret}"
    missing = [f for f in DATA_FILES if f not in names]
    assert missing == [], f"{missing} missing from the wheel: {PACKAGE_DATA_FIX}"
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "autograder = autograder.cli:main" in archive.read(entry_points).decode()


def test_no_file_of_the_wheel_names_a_hidden_test_or_holds_a_solution_line(wheel):
    course = Course(REPO)
    hidden_names: set[str] = set()
    hidden_sources: set[str] = set()
    solution_lines: set[str] = set()
    for hw in course.assignment_ids():
        hidden = course.hidden_test_dir(hw)
        hidden_names |= _hidden_test_names(hidden)
        hidden_sources |= {p.read_text(encoding="utf-8") for p in hidden.rglob("*.py")}
        solution_lines |= _solution_lines(course.source_notebook(hw))
    assert hidden_names and solution_lines, "the course's secrets were found (else this proves nothing)"
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            problems += [f"{name}: is a hidden test file" for source in hidden_sources if source in text]
            named = [n for n in hidden_names if re.search(rf"\b{re.escape(n)}\b", text)]
            problems += [f"{name}: names the hidden test {n}" for n in named]
            problems += [f"{name}: holds the solution line {ln!r}" for ln in solution_lines if ln in text]
    assert problems == []


@pytest.mark.slow
def test_check_runs_from_the_wheel_alone_on_the_portable_path(wheel, tmp_path):
    """The unpacked wheel first on sys.path (not this checkout), the macOS / Windows path forced:
    ``autograder check`` runs the public tests and says it ran without a sandbox."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    folder = tmp_path / "student"
    write_submission(folder, {})
    (folder / "tasks.toml").write_text(TASKS_TOML)
    (folder / "tests").mkdir()
    (folder / "tests" / "test_public_add.py").write_text(PUBLIC_TEST)
    run = (
        f"import sys; sys.path.insert(0, {str(site)!r}); import autograder; "
        f"assert autograder.__file__.startswith({str(site)!r}), autograder.__file__; "
        "from autograder.cli import main; main()"
    )
    env = {**os.environ, FORCE_PORTABLE_VARIABLE: "1", "COLUMNS": "160"}
    done = subprocess.run(
        [sys.executable, "-c", run, "check", "toy.ipynb"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "public checks passed 1 / 1" in out, out[-3000:]
    assert "no sandbox on this machine" in out
