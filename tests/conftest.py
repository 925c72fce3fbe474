"""Fixtures for the kit's own tests: a tiny course ("toy", three tasks) built in a temp folder,
and helpers to write submissions with chosen task-cell sources."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course import Course
from autograder.grade import course_grader
from autograder.grade.engine import Grader

SETUP = "import torch\nimport math\n"

SOLUTIONS = {
    "add": '''
def add(a, b):
    """Element-wise sum of two tensors."""
    return a + b
''',
    "counter": """
class Counter:
    def __init__(self, start=0):
        self.value = start

    def inc(self, by=1):
        self.value += by
        return self.value
""",
    "norm": """
def l2_norm(x):
    return torch.sqrt((x * x).sum())
""",
}

HIDDEN_TESTS = {
    "test_add.py": """
import pytest
import torch
from autograder.testing import assert_close

pytestmark = pytest.mark.task("add")


@pytest.mark.weight(2)
def test_add__sums_tensors(student):
    a, b = torch.randn(3, generator=torch.Generator().manual_seed(0)), torch.ones(3)
    assert_close(student.add(a, b), a + b, "add(a, b)")


def test_add__keeps_dtype(student):
    out = student.add(torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64, "add must keep the dtype"
""",
    "test_counter.py": """
import pytest

pytestmark = pytest.mark.task("counter")


def test_counter__counts_with_handles(student):
    c = student.Counter(5)
    c.inc()
    assert c.inc(by=3) == 9, "inc returns the new value"
    assert c.value == 9
""",
    "test_norm.py": """
import pytest
import torch

pytestmark = pytest.mark.task("norm")


def test_norm__matches_torch(student):
    x = torch.tensor([3.0, 4.0])
    out = student.l2_norm(x)
    assert isinstance(out, torch.Tensor) and abs(float(out) - 5.0) < 1e-6, "l2_norm([3, 4]) is 5"
""",
}

PUBLIC_TEST = """
import pytest
import torch

pytestmark = pytest.mark.task("add")


def test_public_add__runs(student):
    assert student.add(torch.ones(1), torch.ones(1)).shape == (1,)
"""

TASKS_TOML = """
[grading]
call_timeout = 3
load_timeout = 5
memory_mib = 4096
preload = ["torch", "numpy"]

[tasks.add]
points = 2
names = ["add"]

[tasks.counter]
points = 1
names = ["Counter"]

[tasks.norm]
points = 1
bonus = true
names = ["l2_norm"]
"""


def task_cell(task: str, source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(textwrap.dedent(source).strip("\n"))
    cell.metadata["nbgrader"] = {
        "grade": False,
        "solution": True,
        "locked": False,
        "grade_id": task,
        "schema_version": 3,
        "task": False,
    }
    return cell


def toy_notebook(sources: dict[str, str | None]) -> nbformat.NotebookNode:
    """The toy notebook with the given task sources (None leaves a task's cell out)."""
    setup = new_code_cell(SETUP)
    setup.metadata["nbgrader"] = {
        "grade": False,
        "solution": False,
        "locked": True,
        "grade_id": "setup",
        "schema_version": 3,
        "task": False,
    }
    setup.metadata["tags"] = ["setup"]
    cells = [new_markdown_cell("# Toy assignment"), setup]
    cells += [task_cell(t, s) for t, s in sources.items() if s is not None]
    return new_notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def write_submission(folder: Path, overrides: dict[str, str | None], name: str = "toy.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(toy_notebook({**SOLUTIONS, **overrides}), path)
    return path


def build_toy_course(root: Path) -> Course:
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.source_directory = "assignments"\n'
    )
    hw = root / "assignments" / "toy"
    (hw / "tests").mkdir(parents=True)
    nbformat.write(toy_notebook(SOLUTIONS), hw / "toy.ipynb")
    (hw / "tasks.toml").write_text(TASKS_TOML)
    (hw / "tests" / "test_public_add.py").write_text(PUBLIC_TEST)
    hidden = root / "hidden_tests" / "toy"
    hidden.mkdir(parents=True)
    for name, text in HIDDEN_TESTS.items():
        (hidden / name).write_text(text)
    return Course(root)


def _real_base() -> Path:
    """A folder outside /tmp, as a course's would be: /srv as root, else the home folder."""
    srv = Path("/srv")
    if os.geteuid() == 0 and srv.is_dir() and os.access(srv, os.W_OK):
        return srv
    return Path.home()


@pytest.fixture(scope="session")
def real_folder() -> Iterator[Path]:
    """A fresh folder outside /tmp (the sandbox always hides /tmp: a course that lives there proves
    nothing about one in /srv or a home folder); removed at the end of the session."""
    folder = Path(tempfile.mkdtemp(prefix="autograder-tests-", dir=_real_base()))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def toy_course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return build_toy_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def toy_grader(toy_course: Course) -> Iterator[Grader]:
    with course_grader(toy_course, "toy") as grader:
        yield grader
