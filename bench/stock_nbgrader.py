"""The stock `nbgrader autograde` baseline for the benchmarks: the course's nbgrader_config.py
makes `nbgrader autograde` grade with the kit, so a benchmark that compares the two restores
nbgrader's own autograde preprocessors (Execute: the notebook in a kernel; SaveAutoGrades: the
sanity-check cells' scores) in its private copy of the config."""

from __future__ import annotations

import shutil
from pathlib import Path

STOCK = """
# Benchmark baseline: nbgrader's own autograde preprocessors (see bench/stock_nbgrader.py).
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
"""


def copy_config(source: Path, target: Path) -> None:
    """Copy the course's nbgrader_config.py to ``target`` with nbgrader's stock autograde."""
    shutil.copy(source, target)
    with target.open("a", encoding="utf-8") as config:
        config.write(STOCK)
