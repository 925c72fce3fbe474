"""The portable path, taken where no Linux sandbox can exist (macOS, Windows): forced here on Linux
through its one guard, ``platform_supports_sandbox``. ``autograder check`` then runs every worker
as a fresh process on a loopback socket, gives the statuses the Linux path gives, and says it ran
without a sandbox; the in-notebook ``autograder.student.check`` checks one task or all."""

from __future__ import annotations

import re
import shutil
import socket
import sys

import pytest
from rich.console import Console

from autograder.errors import KitError
from autograder.grade import check
from autograder.sandbox import FORCE_PORTABLE_VARIABLE, bubblewrap, platform_supports_sandbox, protocol
from autograder.sandbox.cells import CellCode, Statement
from autograder.sandbox.client import RemoteNamespace, Worker
from autograder.sandbox.confine import Policy
from autograder.sandbox.template import Sandbox, SandboxUnavailable
from autograder.student import NotebookNotFound, find_notebook
from autograder.student import check as notebook_check
from tests.conftest import HIDDEN_TESTS, PUBLIC_TEST, SOLUTIONS, TASKS_TOML, write_submission

# A student's notebook where one task loops for ever, one ends its process, and one is right.
LOOPS = "def add(a, b):\n    while True:\n        pass\n"
EXITS = SOLUTIONS["counter"].replace("self.value += by", "import os\n        os._exit(3)")


def _release_folder(tmp_path, overrides):
    """A student's release folder: the notebook, tasks.toml and public tests for every toy task."""
    folder = tmp_path / "student"
    notebook = write_submission(folder, overrides)
    (folder / "tasks.toml").write_text(TASKS_TOML)
    (folder / "tests").mkdir()
    (folder / "tests" / "test_public_add.py").write_text(PUBLIC_TEST)
    for name in ("test_counter.py", "test_norm.py"):
        (folder / "tests" / name.replace("test_", "test_public_")).write_text(HIDDEN_TESTS[name])
    return notebook


@pytest.fixture
def portable(monkeypatch):
    monkeypatch.setenv(FORCE_PORTABLE_VARIABLE, "1")


def test_the_guard__only_linux_without_the_override_may_have_the_sandbox(monkeypatch):
    assert platform_supports_sandbox()
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(sys, "platform", platform)
        assert not platform_supports_sandbox()
        assert bubblewrap.detect_mode() == bubblewrap.NONE
        assert not bubblewrap.works(bubblewrap.USERNS)
        assert platform in bubblewrap.why_none()
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv(FORCE_PORTABLE_VARIABLE, "1")
    assert not platform_supports_sandbox() and bubblewrap.detect_mode() == bubblewrap.NONE
    assert FORCE_PORTABLE_VARIABLE in bubblewrap.why_none()


def test_grading_still_refuses_to_run_unconfined_on_the_portable_path(portable):
    with pytest.raises(SandboxUnavailable, match="--no-sandbox"):
        Sandbox(("torch",))
    with pytest.raises(SandboxUnavailable):
        Sandbox(("torch",), mode=bubblewrap.USERNS, allow_unconfined=True)


def test_a_cold_worker_answers_and_a_stranger_on_the_port_is_turned_away(portable):
    """No worker started ahead: the one asked for starts cold (its policy on its command line);
    a local program that connects first, without the token, is cut off."""
    cells = (CellCode("<task add, cell 1>", (Statement("def add(a, b):\n    return a + b", 1, False),)),)
    with Sandbox(("torch",), allow_unconfined=True, warm_workers=0) as sandbox:
        assert sandbox._portable is not None
        port = sandbox._portable._listener.getsockname()[1]
        stranger = socket.create_connection(("127.0.0.1", port))
        protocol.send_message(stranger, b"0" * 32)
        worker = Worker(sandbox, cells, Policy(seed=7), call_timeout=30, load_timeout=120)
        worker.start()
        assert RemoteNamespace(worker).add(2, 3) == 5
        assert worker.confinement["mode"] == "none"
        stranger.settimeout(5)
        assert stranger.recv(1) == b"", "the grader closed the stranger's connection"
        worker.stop()
        assert sandbox.exit_status(worker._pid, wait=5) is not None


def test_check_on_the_portable_path__same_statuses_as_linux_and_says_it_ran_unconfined(tmp_path, monkeypatch):
    notebook = _release_folder(tmp_path, {"add": LOOPS, "counter": EXITS})
    with Sandbox(("torch",), allow_unconfined=True) as sandbox:  # the best this Linux machine has
        linux = check(notebook=notebook, hw="toy", console=Console(record=True, width=160), sandbox=sandbox)

    monkeypatch.setenv(FORCE_PORTABLE_VARIABLE, "1")
    console = Console(record=True, width=160)
    with Sandbox(("torch",), allow_unconfined=True, warm_workers=3) as sandbox:
        assert sandbox._portable is not None
        result = check(notebook=notebook, hw="toy", console=console, sandbox=sandbox)
        processes = list(sandbox._portable._processes.values())
    assert {p.poll() is not None for p in processes} == {True}, "every worker ended with the check"

    assert {n: t.status for n, t in result.tasks.items()} == {n: t.status for n, t in linux.tasks.items()}
    assert [(t.name, t.status) for t in result.tests] == [(t.name, t.status) for t in linux.tests]
    assert {n: t.status for n, t in result.tasks.items()} == {
        "add": "failed",
        "counter": "failed",
        "norm": "passed",
    }
    problems = {t.task: t.output for t in result.tests}
    assert "no answer within 3 s" in problems["add"], "an endless loop is cut off and its worker killed"
    assert "exited with code 3" in problems["counter"], "os._exit in student code is named"
    assert result.sandbox["mode"] == "none" and "portable worker" in " ".join(result.sandbox["notes"])
    text = console.export_text()
    assert "no sandbox on this machine" in text and "public checks passed 1 / 3" in text


def test_in_notebook_check__one_task_only(portable, tmp_path, monkeypatch, capsys):
    notebook = _release_folder(tmp_path, {"counter": EXITS})
    monkeypatch.chdir(notebook.parent)  # a kernel starts in the notebook's folder
    checked = notebook_check("add")
    assert list(checked.result.tasks) == ["add"] and checked.passed
    assert [t.task for t in checked.result.tests] == ["add"], "only that task's public tests ran"
    out = capsys.readouterr().out
    assert "checking toy.ipynb as saved" in out and "unsaved edits are not checked" in out
    assert "public checks passed" in out and "no sandbox on this machine" in out
    assert "counter" not in out
    assert "1 / 1 public checks passed" in repr(checked)


def test_in_notebook_check__an_unknown_task_is_named_with_the_known_ones(tmp_path, monkeypatch):
    notebook = _release_folder(tmp_path, {})
    with pytest.raises(KitError, match="no task 'nt_xent'.*add, counter, norm"):
        notebook_check("nt_xent", notebook=notebook)


def test_find_notebook__from_the_front_end_then_the_working_folder(tmp_path, monkeypatch):
    notebook = _release_folder(tmp_path, {})
    folder = notebook.parent
    other = write_submission(tmp_path / "elsewhere", {})
    monkeypatch.chdir(folder)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert find_notebook(None, {}) == notebook, "the only notebook whose task cells match tasks.toml"
    assert find_notebook(None, {"__session__": str(other)}) == other, "ipykernel names it"
    assert find_notebook(None, {"__vsc_ipynb_file__": str(other)}) == other, "VS Code names it"
    assert find_notebook(None, {"__session__": "a1b2-uuid"}) == notebook, "a session id is no path"
    monkeypatch.setenv("JPY_SESSION_NAME", str(other))
    assert find_notebook(None, {}) == other
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert find_notebook("toy.ipynb", {}) == notebook, "named, relative to the working folder"

    shutil.copy(notebook, folder / "toy (copy).ipynb")
    with pytest.raises(NotebookNotFound, match=r"found: toy \(copy\).ipynb, toy.ipynb\); name it.*notebook="):
        find_notebook(None, {})
    with pytest.raises(NotebookNotFound, match="no such notebook"):
        find_notebook(folder / "missing.ipynb", {})


@pytest.mark.slow
def test_in_notebook_check__from_a_cell_of_a_running_kernel(portable, tmp_path, monkeypatch):
    """One line in a cell of a real Jupyter kernel, which names its notebook as Jupyter does
    (JPY_SESSION_NAME → ``__session__``; nbclient sets neither, so the test does)."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    notebook = _release_folder(tmp_path, {})
    (notebook.parent / "other.ipynb").write_text(notebook.read_text())  # the folder alone can't tell
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    runner = nbformat.v4.new_notebook(
        cells=[new_code_cell('from autograder.student import check; check("add")')]
    )
    NotebookClient(
        runner, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = runner.cells[0].outputs
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # a kernel's stream gets the terminal's colours
    assert "checking toy.ipynb as saved" in text and "public checks passed 1 / 1" in text, text
    assert "<check of add: 1 / 1 public checks passed>" in text
