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

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autograder import seeds
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


@dataclass
class Run:
    """One submission's pass over the collected tests."""

    namespace_for: Callable[[str], RemoteNamespace]
    tasks: set[str]
    salt: int = 0  # the submission's seed salt (autograder.seeds): inputs are drawn per submission
    outcomes: list[TestOutcome] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)


class GradingPlugin:
    """Lives as long as its pytest session: tests are collected once, then ``pytest_runtestloop``
    runs them for each submission that ``next_run`` hands over, until it hands over None."""

    def __init__(
        self, visible_root: Path | None, tasks: set[str], next_run: Callable[[], Run | None]
    ) -> None:
        self._visible_root = visible_root
        self._tasks = tasks
        self._next_run = next_run
        self._run: Run | None = None
        self.problems: list[str] = []  # found at collection; reported with every submission
        self.collection_failed = False

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "task(name): the notebook task (grade_id) a test grades")
        config.addinivalue_line("markers", "weight(w): the test's weight within its task (default 1)")
        # Reasons come from the exception alone (readable_reason); pytest's own failure report
        # (what --tb chooses; the terminal plugin that defines it is off) parsed the test's source
        # for every failed test, 25 ms each.
        config.option.tbstyle = "no"

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            task = _task_of(item)
            if task not in self._tasks:
                self.problems.append(f"test {item.nodeid} names unknown task {task!r}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        self.collection_failed = session.testsfailed > 0
        while (run := self._next_run()) is not None:
            if self.collection_failed:
                run.finished.set()  # the session reports it for every run
                continue
            items = [i for i in session.items if _task_of(i) in run.tasks]
            self._run = run
            seeds.use_salt(run.salt)
            try:
                for index, item in enumerate(items):
                    # nextitem None after a submission's last test tears every fixture down, so
                    # nothing set up for one submission survives into the next.
                    following = items[index + 1] if index + 1 < len(items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            finally:
                self._run = None
                seeds.use_salt(0)
                run.finished.set()
        return True

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> RemoteNamespace:
        assert self._run is not None, "the student fixture is only available while grading"
        return self._run.namespace_for(_task_of(request.node))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        self._record(item, call, report)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
        final = report.when == "call" or (report.when == "setup" and not report.passed)
        if not final or report.skipped or self._run is None:
            return
        reason = (
            "" if report.passed else (readable_reason(call.excinfo.value, item) if call.excinfo else "failed")
        )
        visible = self._visible_root is not None and Path(str(item.path)).is_relative_to(self._visible_root)
        self._run.outcomes.append(
            TestOutcome(item.name, _task_of(item), _weight_of(item), report.passed, reason, visible)
        )


def _task_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("task")
    return str(marker.args[0]) if marker and marker.args else "<no task marker>"


def _weight_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("weight")
    return float(marker.args[0]) if marker and marker.args else 1.0
