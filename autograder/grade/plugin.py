"""The pytest plugin that runs hidden tests against a submission's workers.

Hidden tests look like ordinary pytest tests:

    pytestmark = pytest.mark.task("nt_xent")

    @pytest.mark.weight(2)
    def test_nt_xent__identical_views_give_log_2n_minus_1(student):
        loss = student.nt_xent_loss(z, z, temperature=0.5)
        ...

``student`` is the task's ``RemoteNamespace``. Each outcome is recorded with a readable reason
built from the exception alone — never from the test's source, which stays hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autograder.sandbox.client import RemoteNamespace, SandboxError, StudentError

MAX_REASON = 500


class TaskUnavailable(Exception):
    """The task's cell is missing or failed at import: its tests fail with this reason."""


@dataclass(frozen=True)
class TestOutcome:
    name: str
    task: str
    weight: float
    passed: bool
    reason: str
    visible: bool


def describe_test(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return doc.strip().splitlines()[0]
    name = item.name.removeprefix("test_")
    return name.split("__", 1)[-1].replace("_", " ")


def readable_reason(exc: BaseException, item: pytest.Item) -> str:
    if isinstance(exc, TaskUnavailable):
        text = str(exc)
    elif isinstance(exc, StudentError):
        text = f"your code raised {exc}"
    elif isinstance(exc, SandboxError):
        text = str(exc)
    elif isinstance(exc, AssertionError):
        # Only the author's message: pytest's assertion introspection (when rewriting is active)
        # would show the hidden test's expression, so anything from "assert ..." on is dropped.
        message = str(exc).strip().split("\n", 1)[0]
        text = (
            message
            if message and not message.startswith("assert ")
            else f"check failed: {describe_test(item)}"
        )
    else:
        text = f"the result could not be checked ({type(exc).__name__}: {str(exc)[:200]})"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


class GradingPlugin:
    def __init__(
        self,
        namespace_for: Callable[[str], RemoteNamespace],
        visible_root: Path | None,
        tasks: set[str],
        selected: set[str],
    ) -> None:
        self._namespace_for = namespace_for
        self._visible_root = visible_root
        self._tasks = tasks
        self._selected = selected
        self.outcomes: list[TestOutcome] = []
        self.problems: list[str] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "task(name): the notebook task (grade_id) a test grades")
        config.addinivalue_line("markers", "weight(w): the test's weight within its task (default 1)")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        for item in items:
            task = _task_of(item)
            if task not in self._tasks:
                self.problems.append(f"test {item.nodeid} names unknown task {task!r}")
        deselected = [i for i in items if _task_of(i) not in self._selected]
        if deselected:
            items[:] = [i for i in items if _task_of(i) in self._selected]
            config.hook.pytest_deselected(items=deselected)

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> RemoteNamespace:
        return self._namespace_for(_task_of(request.node))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        self._record(item, call, report)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
        final = report.when == "call" or (report.when == "setup" and not report.passed)
        if not final or report.skipped:
            return
        task = _task_of(item)
        if task not in self._selected:
            return
        reason = (
            "" if report.passed else (readable_reason(call.excinfo.value, item) if call.excinfo else "failed")
        )
        visible = self._visible_root is not None and Path(str(item.path)).is_relative_to(self._visible_root)
        self.outcomes.append(TestOutcome(item.name, task, _weight_of(item), report.passed, reason, visible))


def _task_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else "<no task marker>"


def _weight_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("weight")
    return float(marker.args[0]) if marker and marker.args else 1.0
