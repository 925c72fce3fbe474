"""What a worker is asked to load: a task's kept statements, cell by cell (neutral types shared
by the cell analysis on the trusted side and the sandbox client)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    source: str
    line: int
    soft: bool  # an assignment: failing is a warning, not an import error


@dataclass(frozen=True)
class CellCode:
    label: str  # the traceback filename: "<task nt_xent, cell 14>"
    statements: tuple[Statement, ...]
