"""One pytest session per grader, kept open in a thread of its own.

pytest imports and collects the public and hidden tests once, when the grader is built (while the
sandbox template is still importing torch, on a cold start); every submission then only runs the
collected items against its own workers. Starting a fresh ``pytest.main`` per submission cost a
third of a second of imports, collection and plugin set-up each time.

The session thread runs tests only while the grading thread waits for them, so the two never run
at once; the grading thread hands over one ``Run`` at a time and reads its outcomes when it ends.
"""

from __future__ import annotations

import queue
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from autograder.grade.plugin import GradingPlugin, Run, TestOutcome
from autograder.sandbox.client import RemoteNamespace

PYTEST_INI = Path(__file__).with_name("pytest_grading.ini")


class TestSession:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, test_dirs: list[Path], visible_dir: Path | None, tasks: set[str]) -> None:
        self._runs: queue.Queue[Run | None] = queue.Queue()
        self._plugin = GradingPlugin(visible_dir, tasks, self._runs.get)
        self._exit: str | None = None  # why the session ended, once it has
        args = [str(d) for d in test_dirs] + [
            *("-c", str(PYTEST_INI), "--rootdir", str(test_dirs[0].parent)),
            "--disable-plugin-autoload",  # only pytest's own plugins and ours, whatever is installed
            *("-p", "no:cacheprovider", "-p", "no:terminal"),
            # Per-test log capture costs more than many hidden tests (handlers on every logger);
            # the grader reads no test's log output or warnings (filterwarnings = ignore), and
            # output capture would swallow the CLI's own output while the session is open.
            *("-p", "no:logging", "-p", "no:warnings", "--capture=no"),
            # These two collect garbage five times over when the session ends (a quarter second
            # with torch loaded) to report exceptions no grade depends on.
            *("-p", "no:unraisableexception", "-p", "no:threadexception"),
            *("--assert=plain", "--import-mode=importlib"),
        ]
        self._thread = threading.Thread(target=self._serve, args=(args,), name="pytest-session", daemon=True)
        self._thread.start()

    def _serve(self, args: list[str]) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = pytest.main(args, plugins=[self._plugin])
            self._exit = f"pytest exit code {code}"
        except BaseException as exc:  # noqa: B036 - reported to every later run instead
            self._exit = f"{type(exc).__name__}: {exc}"

    def run(
        self, namespace_for: Callable[[str], RemoteNamespace], tasks: set[str], salt: int = 0
    ) -> tuple[list[TestOutcome], list[str]]:
        """The outcomes of ``tasks``' tests for one submission, and the problems of the suite."""
        run = Run(namespace_for, tasks, salt)
        if self._thread.is_alive():
            self._runs.put(run)
            while not run.finished.wait(0.5) and self._thread.is_alive():
                pass
        if run.finished.is_set() and not self._plugin.collection_failed:
            return run.outcomes, list(self._plugin.problems)
        raise RuntimeError(
            "the test suite could not run: a test file fails to import or to collect "
            f"({self._exit or 'collection errors'}); run pytest on the hidden tests to see why"
        )

    def close(self) -> None:
        if self._thread.is_alive():
            self._runs.put(None)
            self._thread.join(timeout=30)
