"""Weighted tests → task scores → the result (the contract's § Result JSON)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from autograder.course import AssignmentSpec
from autograder.grade.plugin import TestOutcome
from autograder.results import GradeResult, TaskResult, TestResult, round_score


def score(
    spec: AssignmentSpec,
    label: str,
    sha256: str,
    outcomes: list[TestOutcome],
    unavailable: dict[str, str],
    missing: set[str],
    errors: list[str],
    seconds: float,
    sandbox: dict[str, Any],
) -> GradeResult:
    """A task's score is its points times the weight of its passed tests over its total weight."""
    by_task: dict[str, list[TestOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_task[outcome.task].append(outcome)
    tests: list[TestResult] = []
    tasks: dict[str, TaskResult] = {}
    for name, task in spec.tasks.items():
        runs = by_task.get(name, [])
        total = sum(o.weight for o in runs)
        if not total and name not in unavailable:  # an ungraded submission ran no tests at all
            errors = [*errors, f"task `{name}` has no tests (a problem of the course, not yours)"]
        for o in runs:
            share = task.points * o.weight / total
            tests.append(
                TestResult(
                    o.name,
                    name,
                    round_score(share if o.passed else 0.0),
                    round_score(share),
                    "passed" if o.passed else "failed",
                    o.reason,
                    "visible" if o.visible else "hidden",
                )
            )
        earned = sum(o.weight for o in runs if o.passed)
        points = task.points * earned / total if total else 0.0
        if name in unavailable:
            status = "missing" if name in missing else "error"
            tasks[name] = TaskResult(0.0, task.points, task.bonus, status, unavailable[name])
            continue
        status = "passed" if total and earned == total else "partial" if earned else "failed"
        failed = [o.reason for o in runs if not o.passed]
        tasks[name] = TaskResult(
            round_score(points), task.points, task.bonus, status, failed[0] if failed else ""
        )
    return GradeResult(
        assignment=spec.id,
        submission={"path": label, "sha256": sha256},
        score=round_score(sum(t.score for t in tasks.values())),
        max_score=round_score(spec.max_score),
        tasks=tasks,
        tests=tests,
        errors=errors,
        execution_time=round(seconds, 3),
        sandbox=sandbox,
    )
