"""Hostile task cells: each scores 0 on its own task, and the other tasks keep their points."""

from __future__ import annotations

import time

import pytest

from tests.conftest import write_submission

ATTACKS = {
    "sys_exit_in_call": "import sys\ndef add(a, b):\n    sys.exit(0)\n",
    "os_exit_in_call": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "keyboard_interrupt_in_call": "def add(a, b):\n    raise KeyboardInterrupt\n",
    "system_exit_at_import": "import sys\n_ = sys.exit(0)\ndef add(a, b):\n    return a + b\n",
    "patch_torch_allclose": "import torch\ntorch.allclose = lambda *a, **k: True\n"
    "torch.equal = lambda *a, **k: True\ndef add(a, b):\n    return torch.zeros(3)\n",
    "eq_always_true": "class _Liar:\n    def __eq__(self, other):\n        return True\n"
    "    __hash__ = object.__hash__\ndef add(a, b):\n    return _Liar()\n",
    "tensor_subclass_that_lies": """
import torch
class _Fake(torch.Tensor):
    def __eq__(self, other):
        return torch.ones_like(self, dtype=torch.bool)
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return torch.zeros(3) if func is not torch.Tensor.__eq__ else True
def add(a, b):
    return torch.zeros(3).as_subclass(_Fake)
""",
    "reduce_payload": """
import os
class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/autograder-pwned",))
def add(a, b):
    return [_Evil()]
""",
    "endless_loop_in_call": "def add(a, b):\n    while True:\n        pass\n",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack__scores_zero_on_its_task_and_spares_the_others(toy_grader, tmp_path, attack):
    result = toy_grader.grade(write_submission(tmp_path, {"add": ATTACKS[attack]}))
    assert result.tasks["add"].score == 0.0, result.tasks["add"]
    assert result.tasks["add"].output, "a readable reason is given"
    assert result.tasks["counter"].score == 1.0 and result.tasks["norm"].score == 1.0


def test_endless_loop_at_import__ends_within_the_load_limit(toy_grader, tmp_path):
    # A loop that allocates nothing: a growing list would end in MemoryError instead, sooner or
    # later than the load limit depending on how fast the machine is.
    source = "_spin = sum(1 for _ in iter(int, 1))\ndef add(a, b):\n    return a + b\n"
    started = time.monotonic()
    result = toy_grader.grade(write_submission(tmp_path, {"add": source}))
    assert time.monotonic() - started < 5 * 3  # load limit 5 s, plus the other tasks
    assert result.tasks["add"].status == "error"
    assert "no answer within 5 s" in result.tasks["add"].output
    assert result.tasks["counter"].score == 1.0


def test_endless_loop_in_call__reason_names_the_time_limit(toy_grader, tmp_path):
    result = toy_grader.grade(write_submission(tmp_path, {"add": ATTACKS["endless_loop_in_call"]}))
    assert "no answer within 3 s" in result.tasks["add"].output


def test_failing_constant__is_skipped_and_the_student_told_which_line(toy_grader, tmp_path):
    source = "def add(a, b):\n    return a + b\nRATE = 1 / 0\n"
    result = toy_grader.grade(write_submission(tmp_path, {"add": source}))
    assert result.tasks["add"].score == 2.0  # the functions still load and pass
    notes = [e for e in result.errors if "skipped" in e]
    assert len(notes) == 1 and "line 3" in notes[0] and "ZeroDivisionError" in notes[0], result.errors


def test_reduce_payload__never_runs_in_the_grader(toy_grader, tmp_path):
    from pathlib import Path

    marker = Path("/tmp/autograder-pwned")
    marker.unlink(missing_ok=True)
    toy_grader.grade(write_submission(tmp_path, {"add": ATTACKS["reduce_payload"]}))
    assert not marker.exists()
