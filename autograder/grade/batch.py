"""Grade many submissions without letting one of them stop the rest.

jobs == 1: one grader (one sandbox template) in this process, submissions in turn.
jobs  > 1: that many grader processes (spawned, each with its own template), fed one submission
           at a time; results come back as data. Every submission still gets fresh workers.

Python, torch and pytest are imported once per grader process, never once per submission.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from autograder.course import AssignmentSpec, Course
from autograder.grade.engine import Grader, course_grader, internal_error
from autograder.grade.scoring import Graded, score
from autograder.grade.submissions import Entry
from autograder.results import GradeResult
from autograder.sandbox.template import Sandbox

Done = Callable[[Entry, GradeResult], None]
_process_grader: Grader | None = None  # the grader of a spawned grading process


def safe_grade(grader: Grader, entry: Entry) -> GradeResult:
    """Grade, turning a failure of the grader itself into a result that says so."""
    started = time.monotonic()
    if entry.refused:
        return _not_graded(grader.spec, entry, entry.refused)
    try:
        return grader.grade(
            entry.path, label=str(entry.path), only_tasks=set(entry.only_tasks) if entry.only_tasks else None
        )
    except Exception as exc:  # a grader bug must not cost the batch
        reason = internal_error(exc)
        return _not_graded(grader.spec, entry, reason, time.monotonic() - started)


def _not_graded(spec: AssignmentSpec, entry: Entry, reason: str, seconds: float = 0.0) -> GradeResult:
    """Every task at 0 with ``reason``: the result of a submission the grader itself failed on."""
    return score(
        Graded(
            spec,
            str(entry.path),
            unavailable={t: reason for t in spec.tasks},
            errors=[reason],
            seconds=seconds,
        )
    )


def grade_entries(
    course: Course,
    hw: str,
    entries: list[Entry],
    *,
    jobs: int,
    sandbox: Sandbox | None,
    on_done: Done,
) -> dict[str, GradeResult]:
    results: dict[str, GradeResult] = {}
    if jobs <= 1 or len(entries) == 1:
        with course_grader(course, hw, sandbox) as grader:
            for entry in entries:
                results[entry.id] = safe_grade(grader, entry)
                on_done(entry, results[entry.id])
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        min(jobs, len(entries)),
        mp_context=context,
        initializer=_start_process,
        # Each grading process's workers get an equal share of the machine (a CPU cgroup as root).
        initargs=(str(course.root), hw, max(1.0, (os.cpu_count() or 1) / jobs)),
    ) as pool:
        futures = {pool.submit(_grade_in_process, entry): entry for entry in entries}
        for future in as_completed(futures):
            entry = futures[future]
            try:
                results[entry.id] = future.result()
            except Exception as exc:  # the grading process itself died
                results[entry.id] = _lost(course, hw, entry, exc)
            on_done(entry, results[entry.id])
    return {e.id: results[e.id] for e in entries}


def _start_process(root: str, hw: str, cores: float) -> None:
    global _process_grader
    course = Course(Path(root))
    sandbox = Sandbox(course.manifest(hw).preload, cores=cores)
    _process_grader = course_grader(course, hw, sandbox, own_sandbox=True)


def _grade_in_process(entry: Entry) -> GradeResult:
    assert _process_grader is not None, "grading process not initialised"
    return safe_grade(_process_grader, entry)


def _lost(course: Course, hw: str, entry: Entry, exc: Exception) -> GradeResult:
    reason = f"the grading process failed ({type(exc).__name__}); grade this submission again"
    return _not_graded(course.manifest(hw), entry, reason)
