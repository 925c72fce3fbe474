"""The self-check from inside a notebook, in one line of a cell::

    from autograder.student import check; check("nt_xent")   # one task; check() for all of them

It is ``autograder check NOTEBOOK`` (the same engine, the same public tests, the same table), run on
the notebook *as last saved*: save first, unsaved edits are not seen. The notebook is the one being
edited, as the front end names it (``__session__`` from ipykernel under Jupyter, VS Code's
``__vsc_ipynb_file__``, or the ``JPY_SESSION_NAME`` they come from), else the only notebook in the
working folder whose task cells match the ``tasks.toml`` beside it; otherwise pass ``notebook=``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from autograder.course import AssignmentSpec, Course, read_manifest
from autograder.errors import KitError
from autograder.results import GradeResult

# What front ends put in the kernel's namespace (or environment) to say which notebook it runs.
_SESSION_NAMES = ("__session__", "__vsc_ipynb_file__")
_SESSION_VARIABLE = "JPY_SESSION_NAME"


class NotebookNotFound(KitError):
    """Which notebook to check cannot be told; the message says how to name it."""


class Checked:
    """What ``check`` returns: the whole result as ``.result``. A notebook shows it as one line,
    below the table ``check`` has already printed."""

    def __init__(self, result: GradeResult) -> None:
        self.result = result

    @property
    def passed(self) -> bool:
        """Every public check of the checked tasks passed (the grade still comes from hidden tests)."""
        return bool(self.result.tests) and all(t.status == "passed" for t in self.result.tests)

    def __repr__(self) -> str:
        passed = sum(t.status == "passed" for t in self.result.tests)
        tasks = ", ".join(self.result.tasks)
        return f"<check of {tasks}: {passed} / {len(self.result.tests)} public checks passed>"


def check(task: str | None = None, notebook: str | os.PathLike[str] | None = None) -> Checked:
    """Run the public tests of ``task`` (one task's name, as in the notebook's headings and
    tasks.toml), or of every task, on the saved ``notebook`` (default: the one being edited)."""
    console = Console()
    path = find_notebook(notebook, sys._getframe(1).f_globals)
    spec = _assignment(path)
    if task is not None and task not in spec.tasks:
        raise KitError(f"no task {task!r} in {path.name}; its tasks: {', '.join(spec.tasks)}")
    minutes = (time.time() - path.stat().st_mtime) / 60
    console.print(
        f"checking {path.name} as saved {minutes:.0f} min ago: save the notebook first (Ctrl+S / "
        "Cmd+S), unsaved edits are not checked"
    )
    from autograder import grade
    from autograder.sandbox.template import Sandbox

    tasks = {task} if task else set(spec.tasks)
    # One worker per task starts at once: on machines without the Linux sandbox each is a fresh
    # process, started ahead while the tests load (a sandbox where one can be had, as the CLI).
    with Sandbox(spec.preload, allow_unconfined=True, warm_workers=len(tasks)) as sandbox:
        result = grade.check(notebook=path, console=console, sandbox=sandbox, only_tasks=tasks)
    return Checked(result)


def find_notebook(given: str | os.PathLike[str] | None, namespace: dict[str, Any] | None = None) -> Path:
    """The notebook to check: ``given``; else the one the front end names in ``namespace`` (the
    caller's globals, a notebook's user namespace) or in the environment; else the only notebook
    in the working folder whose task cells match the tasks.toml beside it."""
    if given is not None:
        path = Path(given).expanduser()
        if not path.is_file():
            raise NotebookNotFound(f"{path}: no such notebook")
        return path.resolve()
    named = [(namespace or {}).get(name) for name in _SESSION_NAMES] + [os.environ.get(_SESSION_VARIABLE)]
    for value in named:
        # A session name is a path, absolute or relative to the server's root folder (the working
        # folder, usually); an older JupyterLab gave a random id first: only an existing notebook counts.
        if isinstance(value, str) and value.endswith(".ipynb") and Path(value).is_file():
            return Path(value).resolve()
    folder = Path.cwd()
    candidates = sorted(folder.glob("*.ipynb"))
    matching = [p for p in candidates if _matches_manifest(p)]
    if len(matching) == 1:
        return matching[0].resolve()
    found = f" (found: {', '.join(p.name for p in candidates)})" if candidates else ""
    raise NotebookNotFound(
        f"cannot tell which notebook to check in {folder}{found}; name it, e.g. "
        'check("task", notebook="hw2_contrastive.ipynb")'
    )


def _matches_manifest(notebook: Path) -> bool:
    manifest = notebook.parent / "tasks.toml"
    if not manifest.is_file():
        return False
    try:
        tasks = set(read_manifest(manifest, notebook.stem).tasks)
        from autograder.grade.notebook import read_notebook

        return bool(read_notebook(notebook).grade_ids() & tasks)
    except Exception:  # an unreadable notebook or manifest matches nothing
        return False


def _assignment(notebook: Path) -> AssignmentSpec:
    """The assignment's manifest, found as ``autograder check`` finds it: beside a released
    notebook, else in the course the working folder belongs to."""
    manifest = notebook.parent / "tasks.toml"
    if manifest.is_file():
        return read_manifest(manifest, notebook.stem)
    from autograder.grade import detect_assignment

    course = Course.find()
    return course.manifest(detect_assignment(notebook, course))
