"""Read a submitted notebook without trusting it: every problem becomes a readable message."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_NOTEBOOK_BYTES = 200 << 20


class SubmissionError(Exception):
    """The submission cannot be read as a notebook; the message names the file and the fix."""


@dataclass
class TaskCell:
    task: str
    index: int  # position among the notebook's cells, for messages ("cell 14")
    source: str


@dataclass
class ReadNotebook:
    path: Path
    sha256: str
    cells: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def grade_ids(self) -> set[str]:
        """Every nbgrader grade_id in the notebook (to tell which assignment it belongs to)."""
        ids = (c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in self.cells)
        return {i for i in ids if isinstance(i, str)}

    def task_cells(self) -> tuple[dict[str, TaskCell], list[str]]:
        """Code cells by nbgrader grade_id (solution cells only). A duplicated grade_id keeps the
        last cell, like re-running a notebook would, and says so."""
        found: dict[str, TaskCell] = {}
        notes = []
        for index, cell in enumerate(self.cells):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.get("cell_type") != "code" or not isinstance(meta, dict) or not meta.get("solution"):
                continue
            grade_id = meta.get("grade_id")
            if not isinstance(grade_id, str):
                continue
            if grade_id in found:
                notes.append(
                    f"grade_id {grade_id!r} appears in cells {found[grade_id].index + 1} and "
                    f"{index + 1}; the later cell was graded (delete the other copy)"
                )
            found[grade_id] = TaskCell(grade_id, index, _source(cell))
        return found, notes


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def read_notebook(path: Path) -> ReadNotebook:
    """Parse ``path`` as a Jupyter notebook (any nbformat version nbformat can upgrade)."""
    name = path.name
    if not path.is_file():
        raise SubmissionError(f"{name}: file not found")
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError(f"{name}: the file is empty; save the notebook in Jupyter and submit again")
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(
            f"{name}: {size >> 20} MiB is too large; clear the outputs "
            "(Kernel → Restart & Clear Output) and submit again"
        )
    raw = path.read_bytes()
    notes = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        notes.append(f"{name}: not valid UTF-8 at byte {exc.start}; unreadable characters were replaced")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "the file looks truncated" if exc.pos >= len(text) - 2 else "the file is not valid JSON"
        raise SubmissionError(
            f"{name}: {hint} (line {exc.lineno}, column {exc.colno}); "
            "open it in Jupyter, save, and submit again"
        ) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise SubmissionError(
            f"{name}: this JSON is not a Jupyter notebook (no 'cells'); "
            "submit the .ipynb file of the homework"
        )
    version = data.get("nbformat")
    if version != 4:
        data = _upgrade(data, name, notes)
    cells = data.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise SubmissionError(
            f"{name}: the notebook's cell list is malformed; open it in Jupyter, save, and submit again"
        )
    for cell in cells:
        cell["source"] = _source(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []  # stored outputs are never needed and may be huge
    return ReadNotebook(path, hashlib.sha256(raw).hexdigest(), cells, notes)


def _upgrade(data: dict[str, Any], name: str, notes: list[str]) -> dict[str, Any]:
    """Other nbformat versions go through nbformat itself (imported only here: it is slow)."""
    import nbformat

    try:
        upgraded = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed documents
        raise SubmissionError(
            f"{name}: not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    notes.append(f"{name}: notebook format v{data.get('nbformat')} was converted to v4")
    return json.loads(nbformat.writes(upgraded))
