"""Weighted tests → task scores → the result (the contract's § Result JSON).

``score`` is where results are built, so it is also where student-derived text (reasons, notes,
the submission's label) is made safe to show, once, for every output (see ``safe_text``).
"""

from __future__ import annotations

import math
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
    not_attempted: Set[str] = frozenset()  # task cells still the release's stub
    errors: Sequence[str] = ()  # notebook-level notes
    seconds: float = 0.0
    sandbox: Mapping[str, Any] = field(default_factory=dict)  # the isolation in force


UNITS = 10_000  # scores are reported to 1e-4 point


def split_points(points: float, weights: list[float]) -> list[int]:
    """A task's points shared among its tests by weight, in 1e-4 units that add up to the points
    exactly (largest remainders get the leftover units): per-test maxima on Gradescope sum to the
    task's points, never to 2.9997 of 3."""
    total_units, total_weight = round(points * UNITS), sum(weights)
    exact = [total_units * w / total_weight for w in weights]
    units = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - units[i], reverse=True)
    for i in by_remainder[: total_units - sum(units)]:
        units[i] += 1
    return units


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
        shares = split_points(task.points, [o.weight for o in runs]) if total else []
        for o, share in zip(runs, shares, strict=True):
            tests.append(
                TestResult(
                    o.name,
                    name,
                    share / UNITS if o.passed else 0.0,
                    share / UNITS,
                    "passed" if o.passed else "failed",
                    safe_text.message(o.reason),
                    "visible" if o.visible else "hidden",
                )
            )
        if name in graded.unavailable:
            status = (
                "missing"
                if name in graded.missing
                else "not attempted"
                if name in graded.not_attempted
                else "error"
            )
            reason = safe_text.message(graded.unavailable[name])
            tasks[name] = TaskResult(0.0, task.points, task.bonus, status, reason)
            continue
        earned = sum(o.weight for o in runs if o.passed)
        points = sum(s for o, s in zip(runs, shares, strict=True) if o.passed) / UNITS
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
        feedback={"hidden_tests": graded.spec.feedback.hidden_tests, "due": graded.spec.feedback.due},
    )
