"""tasks.toml [feedback]: one policy for what students see, read with clear errors, carried by
every result."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autograder.course import CourseError, FeedbackPolicy, read_manifest
from autograder.feedback.view import student_view

TASKS = '[tasks.add]\npoints = 1\nnames = ["add"]\n'


def manifest(tmp_path, feedback: str):
    path = tmp_path / "tasks.toml"
    path.write_text(feedback + TASKS)
    return read_manifest(path, "toy")


def test_default__hidden_tests_after_the_due_date_like_gradescope(tmp_path):
    assert manifest(tmp_path, "").feedback == FeedbackPolicy("after_due_date", None)


def test_due_date__toml_datetime_or_text_with_an_offset(tmp_path):
    spec = manifest(
        tmp_path, '[feedback]\nhidden_tests = "after_due_date"\ndue = 2026-12-15T23:59:00+01:00\n'
    )
    assert spec.feedback.due == "2026-12-15T23:59:00+01:00"
    before = datetime(2026, 12, 15, 22, 0, tzinfo=UTC)
    assert spec.feedback.hidden_shown(before) is False
    assert spec.feedback.hidden_shown(datetime(2026, 12, 15, 23, 0, tzinfo=UTC)) is True


@pytest.mark.parametrize(
    "text,problem",
    [
        ('[feedback]\nhidden_tests = "soon"\n', "use one of visible, after_due_date"),
        ('[feedback]\ndue = "next friday"\n', "not an ISO 8601"),
        ('[feedback]\ndue = "2026-12-15T23:59:00"\n', "needs a UTC offset"),
        ("feedback = 3\n", "must be a table"),
    ],
)
def test_bad_policy__names_the_file_and_the_fix(tmp_path, text, problem):
    with pytest.raises(CourseError, match=problem) as error:
        manifest(tmp_path, text)
    assert str(tmp_path / "tasks.toml") in str(error.value)


def _result(status: str = "failed") -> dict:
    return {
        "tasks": {
            "add": {"score": 0.5, "max_score": 1, "bonus": False, "status": status, "output": "secret"}
        },
        "tests": [
            {"name": "pub", "task": "add", "status": "passed", "output": "", "visibility": "visible"},
            {"name": "hid", "task": "add", "status": "failed", "output": "secret", "visibility": "hidden"},
        ],
        "feedback": {"hidden_tests": "after_due_date", "due": "2026-12-15T23:59:00+01:00"},
    }


def test_student_view__before_the_due_date_shows_scores_and_public_checks_only():
    view = student_view(_result(), now=datetime(2026, 12, 1, tzinfo=UTC))
    assert [t["name"] for t in view["tests"]] == ["pub"]
    assert "secret" not in view["tasks"]["add"]["output"]
    assert view["public_checks"] == {"add": (1, 1)} and view["hidden_shown"] is False


def test_student_view__after_the_due_date_shows_everything():
    view = student_view(_result(), now=datetime(2026, 12, 16, tzinfo=UTC))
    assert [t["name"] for t in view["tests"]] == ["pub", "hid"]
    assert view["tasks"]["add"]["output"] == "secret"
