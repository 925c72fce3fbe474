"""Batches: folders, zips and nbgrader trees, shards and their merge, parallel grading processes."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from rich.console import Console

from autograder import grade
from autograder.grade.submissions import SubmissionsError, find_submissions, shard
from tests.conftest import write_submission

OVERRIDES = {"s0": {}, "s1": {"add": None}, "s2": {"norm": "def l2_norm(x):\n    return x.sum()\n"}, "s3": {}}


@pytest.fixture
def folder(tmp_path):
    for name, overrides in OVERRIDES.items():
        write_submission(tmp_path / "subs", overrides, name=f"{name}.ipynb")
    return tmp_path / "subs"


def test_zip_and_nbgrader_tree__are_found_with_their_ids(tmp_path, folder):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, f"class/{path.name}")
    assert [e.id for e in find_submissions(archive, "toy", tmp_path / "unzipped")] == list(OVERRIDES)
    tree = tmp_path / "submitted"
    for student in ("ann", "ben"):
        write_submission(tree / student / "toy", {})
    assert [e.id for e in find_submissions(tree, "toy", tmp_path)] == ["ann", "ben"]


def test_zip_slip__is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.ipynb", "{}")
    with pytest.raises(SubmissionsError, match="outside"):
        find_submissions(archive, "toy", tmp_path / "unzipped")


def test_shards__partition_the_class(folder, tmp_path):
    entries = find_submissions(folder, "toy", tmp_path)
    parts = [shard(entries, f"{k}/3") for k in range(3)]
    assert sorted(e.id for p in parts for e in p) == sorted(e.id for e in entries)
    with pytest.raises(SubmissionsError):
        shard(entries, "3/3")


def test_parallel_shards_then_merge__equal_one_sequential_run(toy_course, folder, tmp_path):
    for k in range(2):
        grade.main(
            course=toy_course,
            hw="toy",
            submission=folder,
            out_dir=tmp_path / f"shard{k}",
            jobs=2,
            shard_spec=f"{k}/2",
            gradebook=False,
        )
    merged = grade.merge(folders=[tmp_path / "shard0", tmp_path / "shard1"], out_dir=tmp_path / "merged")
    alone = grade.main(
        course=toy_course, hw="toy", submission=folder, out_dir=tmp_path / "alone", jobs=1, gradebook=False
    )
    assert (
        {i: r.score for i, r in merged.items()}
        == {i: r.score for i, r in alone.items()}
        == {"s0": 4.0, "s1": 2.0, "s2": 3.0, "s3": 4.0}
    )
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert sorted(summary) == sorted(OVERRIDES)


def test_grader_failure__gives_every_task_zero_with_the_reason_once(toy_course, tmp_path):
    from autograder.grade.batch import safe_grade
    from autograder.grade.submissions import Entry

    class BrokenGrader:
        spec = toy_course.manifest("toy")

        def grade(self, *args, **kwargs):
            raise ValueError("boom")

    result = safe_grade(BrokenGrader(), Entry("s9", tmp_path / "s9.ipynb"))  # type: ignore[arg-type]
    assert result.score == 0 and {t.status for t in result.tasks.values()} == {"error"}
    assert all("internal grader error (ValueError: boom)" in t.output for t in result.tasks.values())
    assert len(result.errors) == 1 and "boom" in result.errors[0], result.errors


class _Log(io.StringIO):
    """A CI log: not a terminal; records when each line was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def test_batch_output__one_line_per_submission_flushed_as_it_finishes(toy_course, folder, tmp_path):
    log = _Log()
    console = Console(file=log, width=100, force_terminal=False)
    grade.main(
        course=toy_course,
        hw="toy",
        submission=folder,
        out_dir=tmp_path / "out",
        console=console,
        gradebook=False,
    )
    lines = [ln for ln in log.getvalue().splitlines() if ln.startswith("[")]
    assert [ln.split("]")[0] for ln in lines] == ["[1/4", "[2/4", "[3/4", "[4/4"]
    assert "s1: 2/3  lost points: add" in lines[1]
    assert any(snapshot.count("\n[") == 1 for snapshot in log.flushed), "the first line is flushed alone"
    assert "first problem" not in log.getvalue(), "no per-task tables without --verbose"
    assert len(log.getvalue().splitlines()) < 12


def test_batch_output__verbose_prints_every_table(toy_course, folder, tmp_path):
    console = Console(file=io.StringIO(), width=140, force_terminal=False, record=True)
    grade.main(
        course=toy_course,
        hw="toy",
        submission=folder,
        out_dir=tmp_path / "out",
        console=console,
        gradebook=False,
        verbose=True,
    )
    text = console.export_text()
    assert text.count("first problem") == 4 and "class summary" in text
