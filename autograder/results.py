"""Results are data: frozen dataclasses that serialise to the contract's JSON (a superset of
Gradescope's results.json). Rendering lives in ``grade/report.py``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder import safe_text


@dataclass(frozen=True)
class TestResult:
    name: str
    task: str
    score: float
    max_score: float
    status: str  # "passed" | "failed"
    output: str
    visibility: str  # "visible" | "hidden"


@dataclass(frozen=True)
class TaskResult:
    score: float
    max_score: float
    bonus: bool
    status: str  # "passed" | "partial" | "failed" | "not attempted" | "missing" | "error"
    output: str = ""


@dataclass(frozen=True)
class GradeResult:
    assignment: str
    submission: dict[str, str]
    score: float
    max_score: float
    tasks: dict[str, TaskResult]
    tests: list[TestResult]
    errors: list[str]
    execution_time: float
    sandbox: dict[str, Any] = field(default_factory=dict)
    # The assignment's feedback policy (tasks.toml [feedback]): what a student may see, and when.
    feedback: dict[str, Any] = field(default_factory=lambda: {"hidden_tests": "after_due_date", "due": None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeResult:
        """Read back a result this kit wrote (for merging shards and building reports). Its text
        is made safe again (``safe_text``): a file on disk may come from elsewhere."""
        line, message = safe_text.line, safe_text.message
        tasks = {name: TaskResult(**task) for name, task in data["tasks"].items()}
        tests = [TestResult(**test) for test in data["tests"]]
        return cls(
            assignment=line(str(data["assignment"])),
            submission={k: safe_text.label(str(v)) for k, v in dict(data["submission"]).items()},
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            tasks={
                line(name): replace(t, status=line(t.status), output=message(t.output))
                for name, t in tasks.items()
            },
            tests=[
                replace(
                    t, name=line(t.name), task=line(t.task), status=line(t.status), output=message(t.output)
                )
                for t in tests
            ],
            errors=safe_text.notes(map(str, data["errors"])),
            execution_time=float(data["execution_time"]),
            sandbox=dict(data.get("sandbox", {})),
            feedback={
                "hidden_tests": line(str(data.get("feedback", {}).get("hidden_tests", "after_due_date"))),
                "due": _optional_line(data.get("feedback", {}).get("due")),
            },
        )

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def _optional_line(value: Any) -> str | None:
    return None if value is None else safe_text.line(str(value))


def round_score(x: float) -> float:
    return round(x + 0.0, 4)
