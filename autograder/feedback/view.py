"""What a student may see of a result: one policy for every student-facing report.

The result JSON is the instructor's full record; the student's pages, the Gradescope bundle and
``autograder check`` show it through ``student_view``: scores per task and the public checks
always; hidden tests' names and reasons only when the assignment's feedback policy
(tasks.toml ``[feedback]``, carried in the result) allows it; the tests of a task that was not
attempted collapsed into that task's one line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from autograder.course import FeedbackPolicy

NOT_ATTEMPTED = "not attempted"
HIDDEN_ONLY = "hidden checks failed; their reasons are shown when the course releases them"


def policy_of(result: dict[str, Any]) -> FeedbackPolicy:
    feedback = result.get("feedback") or {}
    return FeedbackPolicy(str(feedback.get("hidden_tests", "after_due_date")), feedback.get("due"))


def public_checks(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per task: public (visible) checks passed, out of how many."""
    counts: dict[str, tuple[int, int]] = {task: (0, 0) for task in result["tasks"]}
    for test in result["tests"]:
        if test["visibility"] == "visible":
            passed, total = counts.get(test["task"], (0, 0))
            counts[test["task"]] = (passed + (test["status"] == "passed"), total + 1)
    return counts


def student_view(
    result: dict[str, Any], *, now: datetime | None = None, published: bool = False
) -> dict[str, Any]:
    """The result as a student may see it now: hidden tests only when the policy shows them, each
    task's "first problem" taken from what is shown, not-attempted tasks' tests collapsed."""
    shown = policy_of(result).hidden_shown(now or datetime.now(UTC), published)
    collapsed = {name for name, task in result["tasks"].items() if task["status"] == NOT_ATTEMPTED}
    tests = [
        t
        for t in result["tests"]
        if t["task"] not in collapsed and (shown or t["visibility"] == "visible")
    ]
    tasks = {}
    for name, task in result["tasks"].items():
        task = dict(task)
        if not shown and task["status"] in ("passed", "partial", "failed"):
            failed = [t["output"] for t in tests if t["task"] == name and t["status"] != "passed"]
            task["output"] = failed[0] if failed else HIDDEN_ONLY if task["status"] != "passed" else ""
        tasks[name] = task
    return {
        **result,
        "tasks": tasks,
        "tests": tests,
        "hidden_shown": shown,
        "public_checks": public_checks(result),
    }
