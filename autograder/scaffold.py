"""``autograder new HW``: a homework that releases, audits and grades out of the box.

It writes every file docs/authoring.md describes, for one example task (`normalize_rows`), so
an instructor starts from something that works and changes it step by step:

    assignments/<hw>/<hw>.ipynb               intro, set-up cell, task cell, sanity check, answer cell
    assignments/<hw>/tasks.toml               points, names, grading settings, feedback policy
    assignments/<hw>/tests/test_public_<task>.py
    hidden_tests/<hw>/test_<task>.py          value test, convention tests that also check the value
    tests/audit_cases/<hw>/<task>__*.py       a correct variant and a realistic mistake

The nbgrader metadata of each cell kind comes from ``cell_metadata``: every key nbgrader's schema
3 requires (too few keys and nbgrader refuses the notebook as "old metadata format").
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course import Course, CourseError

TASK = "normalize_rows"
POINTS = 1.0
ANSWER_POINTS = 1.0


def cell_metadata(
    grade_id: str, *, solution: bool, grade: bool, locked: bool, points: float | None = None
) -> dict[str, object]:
    """nbgrader's metadata (schema 3) for one cell: task cell (solution), sanity check (grade,
    locked, points), free-form answer (solution and grade, points), read-only cell (locked)."""
    meta: dict[str, object] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _cell(kind: str, source: str, grade_id: str, **flags: object) -> nbformat.NotebookNode:
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    cell.metadata["nbgrader"] = cell_metadata(grade_id, **flags)  # type: ignore[arg-type]
    return cell


def notebook(hw: str) -> nbformat.NotebookNode:
    setup = _cell("code", "import torch\n", "setup_imports", solution=False, grade=False, locked=True)
    setup.metadata["tags"] = ["setup"]
    cells = [
        _cell(
            "markdown",
            f"# {hw}\n\nRun `autograder check {hw}.ipynb` (or the check cell at the end) before you "
            "submit. Task cells may hold only imports, definitions and constants.",
            "intro",
            solution=False,
            grade=False,
            locked=True,
        ),
        setup,
        _cell(
            "markdown",
            f"## Task `{TASK}` ({POINTS:g} point)\n\nWrite `normalize_rows(x)`: each row of a 2-D "
            "floating tensor divided by its Euclidean norm (rows are never all zero). Return a new "
            "tensor of the input's dtype; do not change `x`.",
            f"{TASK}_text",
            solution=False,
            grade=False,
            locked=True,
        ),
        _cell(
            "code",
            "def normalize_rows(x):\n"
            '    """Rows of x (N, D) scaled to unit L2 norm; a new tensor of x\'s dtype."""\n'
            "    ### BEGIN SOLUTION\n    return x / x.norm(dim=1, keepdim=True)\n    ### END SOLUTION\n",
            TASK,
            solution=True,
            grade=False,
            locked=False,
        ),
        _cell(
            "code",
            "x = torch.tensor([[3.0, 4.0], [0.0, 2.0]])\n"
            "assert torch.allclose(normalize_rows(x), torch.tensor([[0.6, 0.8], [0.0, 1.0]]))\n"
            'print("sanity check passed")\n',
            f"{TASK}_check",
            solution=False,
            grade=True,
            locked=True,
            points=POINTS,
        ),
        _cell(
            "markdown",
            "**Question.** Why do contrastive losses normalise embeddings? Answer in two sentences.",
            "question_normalise",
            solution=False,
            grade=False,
            locked=True,
        ),
        _cell(
            "markdown",
            "YOUR ANSWER HERE",
            "answer_normalise",
            solution=True,
            grade=True,
            locked=False,
            points=ANSWER_POINTS,
        ),
    ]
    return new_notebook(
        cells=cells,
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


TASKS_TOML = f"""# Tasks of {{hw}}: points, bonus flags and the names each task cell must define.
# The points of each task equal the points of its sanity-check cell in the notebook.

[grading]
call_timeout = 20      # seconds one call into student code may take
load_timeout = 60      # seconds a task cell may take to load
memory_mib = 4096      # address-space limit of a worker
preload = ["torch", "numpy"]

[feedback]
hidden_tests = "after_due_date"   # visible | after_due_date | after_published | hidden
# due = 2026-12-15T23:59:00+01:00

[tasks.{TASK}]
points = {POINTS}
names = ["normalize_rows"]
"""

PUBLIC_TEST = f'''"""Public checks of `{TASK}` (released to students)."""

import pytest
import torch

from autograder.testing import assert_close

pytestmark = pytest.mark.task("{TASK}")


def test_public_{TASK}__a_small_example(student):
    x = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    assert_close(student.normalize_rows(x), torch.tensor([[0.6, 0.8], [0.0, 1.0]]), "normalize_rows")
'''

HIDDEN_TEST = f'''"""Hidden tests of `{TASK}`: the value from the definition (most of the weight), then each
convention as its own small test that also checks the value (docs/authoring.md, "Credit")."""

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("{TASK}")


def oracle(x: torch.Tensor) -> torch.Tensor:
    x = x.double()
    return torch.stack([row / row.pow(2).sum().sqrt() for row in x])


def example(base: int, dtype=torch.float64) -> torch.Tensor:
    return torch.randn(5, 7, generator=generator(base), dtype=dtype) * 3


@pytest.mark.weight(3)
def test_{TASK}__matches_the_definition(student):
    x = example(1)
    assert_close(student.normalize_rows(x), oracle(x), "normalize_rows", rtol=1e-6)


@pytest.mark.weight(0.5)
def test_{TASK}__keeps_the_input_dtype(student):
    for dtype in (torch.float32, torch.float64):
        x = example(2, dtype)
        out = student.normalize_rows(x)
        assert_close(out, oracle(x), f"normalize_rows on {{dtype}} input", rtol=1e-4)
        assert_dtype(out, dtype, f"normalize_rows on {{dtype}} input")


@pytest.mark.weight(0.5)
def test_{TASK}__does_not_modify_its_input(student):
    x = example(3)
    assert_inputs_unchanged(
        student,
        "normalize_rows",
        x,
        result_check=lambda out: assert_close(out, oracle(x), "normalize_rows", rtol=1e-6),
    )
'''

AUDIT_CASES = {
    f"{TASK}__correct_functional_normalize.py": f"""# audit: task={TASK} expect=full
# torch's own function (its eps never matters for rows that are not all zero).
import torch.nn.functional as F


def normalize_rows(x):
    return F.normalize(x, dim=1)
""",
    f"{TASK}__mistake_normalises_columns.py": f"""# audit: task={TASK} expect=less
# Divides by the norm of each column instead of each row.
def normalize_rows(x):
    return x / x.norm(dim=0, keepdim=True)
""",
    f"{TASK}__mistake_in_place.py": f"""# audit: task={TASK} expect=less
# Right values, but the input is overwritten.
def normalize_rows(x):
    return x.div_(x.norm(dim=1, keepdim=True))
""",
    f"{TASK}__mistake_always_float32.py": f"""# audit: task={TASK} expect=less
# Right values, but the result is always float32.
def normalize_rows(x):
    return (x / x.norm(dim=1, keepdim=True)).float()
""",
}

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def main(*, course: Course, hw: str) -> list[Path]:
    """Write the homework's files; refuses to overwrite any. Returns the paths written."""
    if not _ID.match(hw):
        raise CourseError(f"{hw!r}: an assignment id is lower case letters, digits and _ (e.g. hw4_audio)")
    files: dict[Path, str] = {
        course.assignments / hw / "tasks.toml": TASKS_TOML.replace("{hw}", hw),
        course.public_tests(hw) / f"test_public_{TASK}.py": PUBLIC_TEST,
        course.hidden_test_dir(hw) / f"test_{TASK}.py": HIDDEN_TEST,
        **{course.audit_cases / hw / name: text for name, text in AUDIT_CASES.items()},
    }
    existing = [
        p
        for p in (course.assignments / hw, course.hidden_test_dir(hw), course.audit_cases / hw)
        if p.exists()
    ]
    if existing:
        raise CourseError(f"{existing[0]} already exists: choose another assignment id or remove it")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    nbformat.write(notebook(hw), course.source_notebook(hw))
    return [course.source_notebook(hw), *files]
