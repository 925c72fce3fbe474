"""Feedback is not an oracle: hidden inputs are drawn per submission (a regrade is identical) and
hidden checks say what is wrong, never by how much."""

from __future__ import annotations

import re

import pytest
import torch

from autograder.grade.engine import course_grader
from autograder.seeds import salt_of
from autograder.testing import assert_close
from tests.conftest import build_toy_course, write_submission

SEED_PROBE = """
import pytest
import torch
from autograder.testing import generator, seed

pytestmark = pytest.mark.task("norm")


def test_norm__reports_the_inputs_it_drew(student):
    x = torch.randn(2, generator=generator(5))
    raise AssertionError(f"seed {seed(0)} inputs {x.tolist()}")
"""


@pytest.fixture(scope="module")
def probe_grader(tmp_path_factory):
    course = build_toy_course(tmp_path_factory.mktemp("seed-course"))
    (course.hidden_test_dir("toy") / "test_seed_probe.py").write_text(SEED_PROBE)
    with course_grader(course, "toy") as grader:
        yield grader


def _probe(result) -> str:
    return next(t.output for t in result.tests if t.name.endswith("reports_the_inputs_it_drew"))


def test_hidden_inputs__differ_between_submissions_and_repeat_on_a_regrade(probe_grader, tmp_path):
    first = write_submission(tmp_path / "a", {})
    second = write_submission(tmp_path / "b", {"add": "def add(a, b):\n    return b + a\n"})
    drawn_first, drawn_again = _probe(probe_grader.grade(first)), _probe(probe_grader.grade(first))
    drawn_second = _probe(probe_grader.grade(second))
    assert drawn_first == drawn_again  # a regrade draws exactly the same inputs
    assert drawn_first != drawn_second  # a lookup table learnt from one grading does not transfer
    assert re.search(r"seed \d+ inputs", drawn_first)


def test_salt__is_taken_from_the_content_hash():
    assert salt_of("") == 0 and salt_of("not hex") == 0
    assert salt_of("ab" * 32) == salt_of("ab" * 32) != salt_of("cd" * 32)


def test_assert_close__says_what_is_wrong_but_not_by_how_much():
    expected = torch.tensor([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(AssertionError) as failure:
        assert_close(expected + torch.tensor([0.0, 0.0, 0.0, 0.123456]), expected, "loss")
    message = str(failure.value)
    assert "1 of 4 values" in message
    assert "0.12" not in message and "off by" not in message
