"""Bad notebook files: every one gets a result with a readable reason, never a traceback."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.conftest import write_submission

BAD_FILES = {
    "empty": (b"", "empty"),
    "truncated": (None, "truncated"),
    "not_json": (b"hello, I am not a notebook", "not valid JSON"),
    "json_not_notebook": (b'{"name": "homework"}', "not a Jupyter notebook"),
    "json_list": (b"[1, 2, 3]", "not a Jupyter notebook"),
    "cells_not_a_list": (b'{"cells": 5, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "malformed"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_unreadable_file__scores_zero_with_a_reason(toy_grader, tmp_path, case):
    content, phrase = BAD_FILES[case]
    path = tmp_path / "toy.ipynb"
    if content is None:
        good = write_submission(tmp_path, {}).read_bytes()
        content = good[: len(good) // 2]
    path.write_bytes(content)
    result = toy_grader.grade(path)
    assert result.score == 0
    assert any(phrase in e for e in result.errors), result.errors
    assert all(t.status == "failed" for t in result.tests)
    assert all(phrase in t.output for t in result.tests)


def test_non_utf8_text__is_graded_with_a_note(toy_grader, tmp_path):
    path = write_submission(
        tmp_path, {"norm": "# caf\u00e9\ndef l2_norm(x):\n    return torch.sqrt((x * x).sum())\n"}
    )
    path.write_bytes(path.read_bytes().replace("caf\u00e9".encode(), b"caf\xe9"))
    result = toy_grader.grade(path)
    assert result.score == 4.0
    assert any("UTF-8" in e for e in result.errors)


def test_old_nbformat_v3__is_upgraded_and_graded(toy_grader, tmp_path):
    path = write_submission(tmp_path, {})
    v3 = nbformat.convert(nbformat.read(path, as_version=4), 3)
    path.write_text(nbformat.writes(v3))
    assert json.loads(path.read_text())["nbformat"] == 3
    result = toy_grader.grade(path)
    assert result.score == 4.0
    assert any("converted to v4" in e for e in result.errors)


def test_huge_stored_outputs__are_ignored(toy_grader, tmp_path):
    path = write_submission(tmp_path, {})
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="x" * (20 << 20))]
    nbformat.write(nb, path)
    assert toy_grader.grade(path).score == 4.0


def test_notebook_of_another_assignment__scores_zero_with_missing_tasks(toy_grader, tmp_path):
    path = tmp_path / "other.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def nt_xent_loss(a, b):\n    pass\n")])
    nb.cells[0].metadata["nbgrader"] = {
        "solution": True,
        "grade": False,
        "grade_id": "nt_xent",
        "locked": False,
    }
    nbformat.write(nb, path)
    result = toy_grader.grade(path)
    assert result.score == 0 and {t.status for t in result.tasks.values()} == {"missing"}
