"""Each solution notebook runs end to end in smoke mode (offline, small data), as students and
CI run it. The budget is a guard against a runaway notebook, not a benchmark."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.course import Course

COURSE = Course.find(Path(__file__).parent)
BUDGET_SECONDS = 300


@pytest.mark.slow
@pytest.mark.parametrize("hw", COURSE.assignment_ids())
def test_solution_notebook__executes_end_to_end_in_smoke_mode(hw, tmp_path):
    folder = tmp_path / hw
    shutil.copytree(COURSE.assignments / hw, folder)
    notebook = nbformat.read(COURSE.solution_notebook(hw), as_version=4)
    setup = "\n".join(c.source for c in notebook.cells if "setup" in c.metadata.get("tags", []))
    assert 'MODE = "smoke"' in setup or "MODE" not in setup, "the committed notebook must be in smoke mode"
    client = NotebookClient(
        notebook, timeout=BUDGET_SECONDS, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
