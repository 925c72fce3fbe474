"""No points without a working function: an implementation that raises on every call, or returns
NaN from every call, scores exactly 0 on every task of every homework.

Side conditions (inputs unchanged, a ValueError on bad input, the dtype, determinism) earn their
weight only when the same test also saw a right value (docs/authoring.md, "Credit"); these stubs
are the proof. They are generated from each manifest's `names`, so a new task is covered at once.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.course import Course
from autograder.grade import course_grader

COURSE = Course.find(Path(__file__).parent)
ASSIGNMENTS = COURSE.assignment_ids()

# ValueError is the stub's exception on purpose: it is what the side-condition tests wait for.
RAISES = {
    "function": "def {name}(*args, **kwargs):\n    raise ValueError('not implemented')\n",
    "class": (
        "class {name}:\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        raise ValueError('not implemented')\n"
    ),
}
NAN = {
    "function": "def {name}(*args, **kwargs):\n    return torch.tensor(float('nan'))\n",
    "class": (
        "class {name}(torch.nn.Module):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        super().__init__()\n"
        "    def __call__(self, *args, **kwargs):\n"
        "        return torch.tensor(float('nan'))\n"
        "    def __iter__(self):\n"
        "        return iter([torch.tensor(float('nan'))])\n"
        "    def __len__(self):\n"
        "        return 1\n"
        "    def __getattr__(self, attr):\n"
        "        if attr.startswith('_'):\n"
        "            return super().__getattr__(attr)\n"
        "        return lambda *args, **kwargs: torch.tensor(float('nan'))\n"
    ),
}


def stub_cell(names: list[str], templates: dict[str, str]) -> str:
    cell = "import torch\n\n"
    for name in names:
        kind = "class" if name[:1].isupper() else "function"
        cell += templates[kind].format(name=name) + "\n"
    return cell


def stub_notebook(hw: str, templates: dict[str, str], folder: Path) -> Path:
    spec = COURSE.manifest(hw)
    notebook = nbformat.read(COURSE.solution_notebook(hw), as_version=4)
    for cell in notebook.cells:
        task = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if task in spec.tasks and cell.cell_type == "code" and cell.metadata["nbgrader"].get("solution"):
            cell.source = stub_cell(list(spec.tasks[task].names), templates)
    path = folder / f"{hw}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("hw", ASSIGNMENTS)
@pytest.mark.parametrize("kind", ["raises", "returns_nan"])
def test_stub_that_never_works__scores_exactly_zero_on_every_task(hw, kind, tmp_path):
    templates = RAISES if kind == "raises" else NAN
    with course_grader(COURSE, hw) as grader:
        result = grader.grade(stub_notebook(hw, templates, tmp_path))
    earned = {name: task.score for name, task in result.tasks.items() if task.score != 0}
    passing = sorted(t.name for t in result.tests if t.status == "passed")
    assert not earned, f"points for code that never works: {earned}; tests passed: {passing}"
    assert set(result.tasks) == set(COURSE.manifest(hw).tasks)
