"""The attack suite, graded by the real CLI in one batch: every hostile cell ends with its task at
0, the other tasks untouched, nothing leaked, nothing left running, nothing written outside, and
the honest submissions of the same batch graded exactly as when graded alone."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import SOLUTIONS, build_toy_course, write_submission
from tests.hostile.catalogue import ATTACKS

MARKERS = {
    "classmate": "MARKER-CLASSMATE-3e19",
    "hidden": "MARKER-HIDDEN-7f3a",
    "solution": "MARKER-SOLUTION-91bc",
    "gradebook": "MARKER-GRADEBOOK-c2d4",
    "secret": "MARKER-SECRET-55e0",
}
SECRET_VARIABLE = "AUTOGRADER_ATTACK_SECRET"
HONEST = {
    "honest_full": {},
    "honest_partial": {"add": "def add(a, b):\n    return (a + b).float()\n"},
    "honest_missing_counter": {"counter": None},
    "honest_wrong_norm": {"norm": "def l2_norm(x):\n    return x.abs().sum()\n"},
    "honest_loop_add": {"add": "def add(a, b):\n    return torch.stack([x + y for x, y in zip(a, b)])\n"},
    "honest_syntax_error": {"counter": "class Counter(\n"},
}

BAD_FILES = {
    "bad_empty": b"",
    "bad_truncated": b'{"cells": [{"cell_type": "code", "sou',
    "bad_not_json": b"\x00\xff",
}


class Listener:
    """A loopback server that counts connections (a worker must never reach it)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


RUN_TAG = f"attack-suite-{os.getpid()}"


def _leftover_processes() -> list[str]:
    """Every process of the graded run carries the run tag in its command line (inherited by fork)."""
    out = subprocess.run(["ps", "-eo", "pid,uid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if f"--tag={RUN_TAG}" in line]


@pytest.fixture(scope="module")
def battlefield(real_folder):
    """A course and its submissions outside /tmp (as in /srv/course), graded by the CLI started from
    the course root, the natural place; the course root is private (0700), as a course's may be."""
    root = real_folder / "attacked-course" / "course"
    root.mkdir(parents=True)
    course = build_toy_course(root)
    root.chmod(0o700)
    hidden = course.hidden_test_dir("toy") / "test_add.py"
    hidden.write_text(hidden.read_text() + f"\n# {MARKERS['hidden']}\n")
    source = course.source_notebook("toy")
    nb = nbformat.read(source, as_version=4)
    nb.cells[2].source += f"\n# {MARKERS['solution']}\n"
    nbformat.write(nb, source)
    course.gradebook.write_text(f"SQLite format 3 {MARKERS['gradebook']}\n")
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep me")
    results = root.parent / "results"
    # One folder per student, as in /srv/course/subs/<student>/: a worker sees none of them.
    submissions = root.parent / "submissions"
    classmate = write_submission(
        submissions / "classmate",
        {"norm": f"# {MARKERS['classmate']}\n" + SOLUTIONS["norm"]},
        "classmate.ipynb",
    )
    listener = Listener()
    fill = {
        "hidden": hidden,
        "solution": source,
        "gradebook": course.gradebook,
        "secret": SECRET_VARIABLE,
        "port": listener.port,
        "outside": outside,
        "results": results,
        "classmate": classmate,
    }
    for name, template in ATTACKS.items():
        write_submission(submissions / name, {"add": template.format(**fill)}, name=f"{name}.ipynb")
    for name, overrides in HONEST.items():
        write_submission(submissions / name, overrides, name=f"{name}.ipynb")
    for name, content in BAD_FILES.items():
        (submissions / name).mkdir()
        (submissions / name / f"{name}.ipynb").write_bytes(content)
    # A notebook that is a link to the course's solution (a cloned repository, an nbgrader tree).
    (submissions / "linked").mkdir()
    (submissions / "linked" / "linked.ipynb").symlink_to(source)
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "--hw",
            "toy",
            str(submissions),
            "--out",
            str(results),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=root,
        env={**os.environ, SECRET_VARIABLE: MARKERS["secret"], "AUTOGRADER_RUN_TAG": RUN_TAG},
    )
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 15
    while _leftover_processes() and time.monotonic() < deadline:
        time.sleep(0.5)
    leftovers = _leftover_processes()
    listener.close()
    yield {
        "run": run,
        "results": results,
        "outside": outside,
        "listener": listener,
        "course": course,
        "leftovers": leftovers,
        "elapsed": elapsed,
        "submissions": submissions,
    }


def _result(battlefield, name: str) -> dict:
    return json.loads((battlefield["results"] / f"{name}.json").read_text())


def test_batch__completes_with_one_result_per_submission(battlefield):
    assert battlefield["run"].returncode == 0, battlefield["run"].stderr[-3000:]
    names = {p.stem for p in battlefield["results"].glob("*.json")} - {"summary"}
    assert names == set(ATTACKS) | set(HONEST) | set(BAD_FILES) | {"classmate", "linked"}
    summary = json.loads((battlefield["results"] / "summary.json").read_text())
    assert set(summary) == names


@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_unreadable_file_in_a_batch__gets_a_zero_with_a_reason(battlefield, bad):
    result = _result(battlefield, bad)
    assert result["score"] == 0 and result["errors"] and "Traceback" not in json.dumps(result)


def test_linked_notebook__is_refused_not_graded_as_the_students(battlefield):
    result = _result(battlefield, "linked")
    assert result["score"] == 0 and "symbolic link" in result["errors"][0]


def test_results__say_which_sandbox_held(battlefield):
    sandbox = _result(battlefield, "honest_full")["sandbox"]
    assert sandbox["mode"] in ("root", "userns") and sandbox["filesystem"] == "allowlist"
    assert {"pid", "net", "ipc", "mount"} <= set(sandbox["namespaces"])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack__scores_zero_on_its_task_and_nothing_else_changes(battlefield, attack):
    result = _result(battlefield, attack)
    assert result["tasks"]["add"]["score"] == 0, result["tasks"]["add"]
    assert result["tasks"]["add"]["output"], "a readable reason"
    assert result["tasks"]["counter"]["score"] == 1 and result["tasks"]["norm"]["score"] == 1
    assert result["score"] == 2.0


def test_attacks__leak_no_hidden_content_or_secret_into_any_result(battlefield):
    texts = [p.read_text() for p in battlefield["results"].glob("*")]
    for marker in MARKERS.values():
        assert not any(marker in t for t in texts), marker


def test_attacks__write_nothing_outside_and_delete_nothing(battlefield):
    outside = battlefield["outside"]
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert battlefield["course"].hidden_test_dir("toy").joinpath("test_add.py").exists()
    for path in ("/etc", "/var/tmp", "/run/lock", "/dev/shm"):
        assert not Path(path, "autograder-written").exists()
    assert "5eed17" not in Path("/proc/sysvipc/shm").read_text().lower()  # no shared memory outlives it
    assert "MARKER-HIDDEN" in battlefield["course"].hidden_test_dir("toy").joinpath("test_add.py").read_text()
    honest = _result(battlefield, "honest_full")
    assert honest["score"] == 4.0  # the forged files in the results folder were not the worker's to write


def test_attacks__reach_no_network_and_leave_no_process(battlefield):
    assert battlefield["listener"].connections == 0
    assert battlefield["leftovers"] == []


def test_honest_submissions__grade_exactly_as_when_graded_alone(battlefield, toy_grader):
    for name in HONEST:
        batch = _result(battlefield, name)
        alone = toy_grader.grade(battlefield["submissions"] / name / f"{name}.ipynb").to_dict()
        assert batch["score"] == alone["score"]
        assert [(t["name"], t["status"], t["output"]) for t in batch["tests"]] == [
            (t["name"], t["status"], t["output"]) for t in alone["tests"]
        ]
