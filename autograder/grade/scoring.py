"""Weighted tests → task scores → the result (the contract's § Result JSON).

``score`` is where results are built, so it is also where student-derived text (reasons, notes,
the submission's label) is made safe to show, once, for every output (see ``safe_text``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from autograder import safe_text
from autograder.course import AssignmentSpec
from autograder.grade.plugin import TestOutcome
from autograder.results import GradeResult, TaskResult, TestResult, round_score


@dataclass(frozen=True)
class Graded:
    """What grading found out about one submission: everything ``score`` needs."""

    spec: AssignmentSpec
    label: str  # how the result names the submission (its path or file name)
    sha256: str = ""
    outcomes: Sequence[TestOutcome] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)  # task → why it scores 0
    missing: Set[str] = frozenset()  # tasks whose cell is not in the notebook
    errors: Sequence[str] = ()  # notebook-level notes
    seconds: float = 0.0
    sandbox: Mapping[str, Any] = field(default_factory=dict)  # the isolation in force


def score(graded: Graded) -> GradeResult:
    """A task's score is its points times the weight of its passed tests over its total weight."""
    by_task: dict[str, list[TestOutcome]] = defaultdict(list)
    for outcome in graded.outcomes:
        by_task[outcome.task].append(outcome)
    errors = list(graded.errors)
    tests: list[TestResult] = []
    tasks: dict[str, TaskResult] = {}
    for name, task in graded.spec.tasks.items():
        runs = by_task.get(name, [])
        total = sum(o.weight for o in runs)
        if not total and name not in graded.unavailable:  # an ungraded submission ran no tests at all
            errors.append(f"task `{name}` has no tests (a problem of the course, not yours)")
        for o in runs:
            share = task.points * o.weight / total
            tests.append(
                TestResult(
                    o.name,
                    name,
                    round_score(share if o.passed else 0.0),
                    round_score(share),
                    "passed" if o.passed else "failed",
                    safe_text.message(o.reason),
                    "visible" if o.visible else "hidden",
                )
            )
        if name in graded.unavailable:
            status = "missing" if name in graded.missing else "error"
            reason = safe_text.message(graded.unavailable[name])
            tasks[name] = TaskResult(0.0, task.points, task.bonus, status, reason)
            continue
        earned = sum(o.weight for o in runs if o.passed)
        points = task.points * earned / total if total else 0.0
        status = "passed" if total and earned == total else "partial" if earned else "failed"
        failed = [o.reason for o in runs if not o.passed]
        first = safe_text.message(failed[0]) if failed else ""
        tasks[name] = TaskResult(round_score(points), task.points, task.bonus, status, first)
    return GradeResult(
        assignment=graded.spec.id,
        submission={"path": safe_text.label(graded.label), "sha256": graded.sha256},
        score=round_score(sum(t.score for t in tasks.values())),
        max_score=round_score(graded.spec.max_score),
        tasks=tasks,
        tests=tests,
        errors=safe_text.notes(errors),
        execution_time=round(graded.seconds, 3),
        sandbox=dict(graded.sandbox),
    )
