"""One object owns the paths of the course directory (like nbgrader's ``coursedir.py``).

nbgrader_config.py
assignments/<hw>/<hw>.ipynb     source notebook (solutions between BEGIN/END SOLUTION)
assignments/<hw>/tasks.toml     task points, bonus flags, expected names, grading settings
assignments/<hw>/tests/         public tests (released; `autograder check` runs them)
release/<hw>/                   student version (nbgrader generate_assignment)
solutions/<hw>/                 instructor solution (nbgrader generate_solution)
hidden_tests/<hw>/              hidden pytest suite (never released)
tests/audit_cases/<hw>/         the audit catalogue: correct variants and realistic mistakes
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from autograder.errors import KitError

ASSIGNMENT_IDS = ("hw1_pretext", "hw2_contrastive", "hw3_lms", "hw4_audio")


class CourseError(KitError):
    """The course directory is incomplete or misconfigured; the message says where."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    points: float
    bonus: bool = False
    names: tuple[str, ...] = ()


# When students see the hidden tests' names and reasons: Gradescope's own visibility words, so the
# bundle passes the policy through unchanged. Scores per task and the public checks are always shown.
HIDDEN_TEST_VISIBILITY = ("visible", "after_due_date", "after_published", "hidden")


@dataclass(frozen=True)
class FeedbackPolicy:
    """tasks.toml ``[feedback]``: one policy for every report a student reads (the result JSON
    carries it; the HTML pages, ``check`` and the Gradescope bundle honour it)."""

    hidden_tests: str = "after_due_date"
    due: str | None = None  # ISO 8601 with a UTC offset, e.g. "2026-12-15T23:59:00+01:00"

    def hidden_shown(self, now: datetime, published: bool = False) -> bool:
        if self.hidden_tests == "visible":
            return True
        if self.hidden_tests == "after_due_date":
            return self.due is not None and now >= datetime.fromisoformat(self.due)
        return self.hidden_tests == "after_published" and published


def read_feedback_policy(table: object, where: str) -> FeedbackPolicy:
    if not isinstance(table, dict):
        raise CourseError(f"{where}: [feedback] must be a table")
    hidden = table.get("hidden_tests", FeedbackPolicy.hidden_tests)
    if hidden not in HIDDEN_TEST_VISIBILITY:
        raise CourseError(
            f"{where}: [feedback] hidden_tests = {hidden!r}; use one of {', '.join(HIDDEN_TEST_VISIBILITY)}"
        )
    due = table.get("due")
    if isinstance(due, datetime):  # TOML's own date-time literal
        due = due.isoformat()
    if due is not None:
        try:
            parsed = datetime.fromisoformat(str(due))
        except ValueError:
            raise CourseError(f"{where}: [feedback] due = {due!r} is not an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise CourseError(f"{where}: [feedback] due = {due!r} needs a UTC offset, e.g. +01:00")
        due = parsed.isoformat()
    return FeedbackPolicy(str(hidden), due)


@dataclass(frozen=True)
class AssignmentSpec:
    """An assignment's tasks and grading settings (tasks.toml ``[grading]``); the defaults here are
    the only ones: every other layer takes its limits from this object."""

    id: str
    tasks: dict[str, TaskSpec]
    call_timeout: float = 20.0  # seconds one call into student code may take
    load_timeout: float = 60.0  # seconds a task's cells may take to load
    # Seconds one submission may take, loading and every test together (None: 2 call limits):
    # an endless loop in every task then costs this once, not the call limit per test.
    time_budget: float | None = None
    preload: tuple[str, ...] = ("torch", "numpy")
    memory_bytes: int = 6 << 30
    feedback: FeedbackPolicy = FeedbackPolicy()
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def budget_seconds(self) -> float:
        return self.time_budget if self.time_budget is not None else 2 * self.call_timeout

    def restricted_to(self, tasks: set[str]) -> AssignmentSpec:
        return replace(self, tasks={n: t for n, t in self.tasks.items() if n in tasks})

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tasks.values() if not t.bonus)


def read_manifest(path: Path, assignment_id: str) -> AssignmentSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(f"{path}: missing; every assignment needs a tasks.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML ({exc})") from None
    tasks = {
        name: TaskSpec(name, float(t["points"]), bool(t.get("bonus", False)), tuple(t.get("names", ())))
        for name, t in data.get("tasks", {}).items()
    }
    if not tasks:
        raise CourseError(f"{path}: no [tasks.<name>] tables")
    grading = data.get("grading", {})
    settings: dict[str, object] = {}  # only what the file sets: the defaults live in AssignmentSpec
    for key in ("call_timeout", "load_timeout", "time_budget"):
        if key in grading:
            settings[key] = float(grading[key])
    if "preload" in grading:
        settings["preload"] = tuple(grading["preload"])
    if "memory_mib" in grading:
        settings["memory_bytes"] = int(grading["memory_mib"]) << 20
    if "feedback" in data:
        settings["feedback"] = read_feedback_policy(data["feedback"], str(path))
    return AssignmentSpec(id=assignment_id, tasks=tasks, **settings)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Course:
        """The nearest folder at or above ``start`` (default: the working directory, then this
        package's checkout) that holds ``nbgrader_config.py``."""
        candidates = [Path(start or Path.cwd()).resolve(), Path(__file__).resolve().parent.parent]
        for base in candidates:
            for folder in (base, *base.parents):
                if (folder / "nbgrader_config.py").is_file():
                    return cls(folder)
        raise CourseError("no course directory found (a folder with nbgrader_config.py); pass --course DIR")

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "hidden_tests"

    @property
    def audit_cases(self) -> Path:
        return self.root / "tests" / "audit_cases"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    def assignment_ids(self) -> list[str]:
        return sorted(p.name for p in self.assignments.iterdir() if (p / "tasks.toml").is_file())

    def check_assignment(self, hw: str) -> str:
        if hw not in self.assignment_ids():
            known = ", ".join(self.assignment_ids()) or "none"
            raise CourseError(f"unknown assignment {hw!r} (this course has: {known})")
        return hw

    def source_notebook(self, hw: str) -> Path:
        return self.assignments / hw / f"{hw}.ipynb"

    def release_notebook(self, hw: str) -> Path:
        return self.release / hw / f"{hw}.ipynb"

    def solution_notebook(self, hw: str) -> Path:
        return self.solutions / hw / f"{hw}.ipynb"

    def manifest(self, hw: str) -> AssignmentSpec:
        return read_manifest(self.assignments / hw / "tasks.toml", hw)

    def public_tests(self, hw: str) -> Path:
        return self.assignments / hw / "tests"

    def hidden_test_dir(self, hw: str) -> Path:
        return self.hidden_tests / hw
