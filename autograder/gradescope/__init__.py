"""``autograder gradescope HW``: the Gradescope autograder bundle, and the verb it runs there.

Gradescope extracts the zip INTO /autograder/source, runs /autograder/source/setup.sh once when it
builds the image, copies run_autograder from the zip's root to /autograder/run_autograder, and runs
it for every submission. So everything sits at the zip's root:

    setup.sh          installs Python 3.11, a venv and this kit (the locked versions; CPU-only torch
                      where PyTorch's CPU index is reachable, else PyPI's) on Gradescope's Ubuntu image
    run_autograder    grades /autograder/submission, writes /autograder/results/results.json
    pyproject.toml, autograder/, nbgrader_config.py, requirements/gradescope.lock
                      the kit (``pip install -r requirements/gradescope.lock``, then
                      ``pip install --no-deps /autograder/source``)
    assignments/<hw>/ tasks.toml, public tests, and the RELEASE notebook as the set-up cells'
                      source (no solution is uploaded)
    hidden_tests/<hw>/

Test visibility on Gradescope: public tests are "visible"; hidden tests get the assignment's
feedback policy (tasks.toml ``[feedback] hidden_tests``, default "after_due_date", Gradescope's own
words), so their readable reasons reach students when the policy says and cannot be probed before.
The tests of a task that was not attempted are collapsed into one entry for that task.

The top-level ``output`` holds only text this kit wrote (the score per task and where to look);
text that came from the submission (notebook-level notes, file names) is shown only in the
per-test entries, the notes in one entry of their own, all of it cleaned by ``safe_text`` and
shown as plain text (``output_format``). The result's ``sandbox`` field is kept.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder import safe_text
from autograder.course import Course
from autograder.results import GradeResult, round_score

PLAIN_TEXT = {"output_format": "text", "test_output_format": "text"}  # never markdown, HTML or ANSI
SEE_TESTS = "See the feedback of each test below for what is wrong."
NOTES_NAME = "notebook notes"
TEMPLATES = Path(__file__).with_name("files")
LOCK = "requirements/gradescope.lock"  # the exact versions setup.sh installs (`make lock`)


def build(*, course: Course, hw: str, out_dir: Path) -> Path:
    """Write ``out_dir/gradescope_<hw>.zip`` and return its path."""
    course.check_assignment(hw)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"gradescope_{hw}.zip"
    package = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)  # the zip's root: /autograder/source on Gradescope
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(package, root / "autograder", ignore=ignore)
        for name in ("pyproject.toml", "README.md", "nbgrader_config.py", LOCK):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(course.root / name, root / name)
        hw_dir = root / "assignments" / hw
        hw_dir.mkdir(parents=True)
        shutil.copy(course.assignments / hw / "tasks.toml", hw_dir / "tasks.toml")
        shutil.copytree(course.public_tests(hw), hw_dir / "tests", ignore=ignore)
        shutil.copy(course.release_notebook(hw), hw_dir / f"{hw}.ipynb")
        shutil.copytree(course.hidden_test_dir(hw), root / "hidden_tests" / hw, ignore=ignore)
        for script in ("setup.sh", "run_autograder"):
            text = (TEMPLATES / script).read_text().replace("@HW@", hw)
            (root / script).write_text(text)
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(root)))
                    info.external_attr = (
                        0o755 if path.name in ("setup.sh", "run_autograder") else 0o644
                    ) << 16
                    zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return archive


def results_json(result: GradeResult | None, message: str = "", notes: Sequence[str] = ()) -> dict[str, Any]:
    """Gradescope's results.json from our result (or a 0 with ``message``, which the kit wrote,
    when nothing could run). ``notes``, like the result's errors, may hold submission text: they
    go to the "notebook notes" entry, never to the top-level output."""
    if result is None:
        return {"score": 0.0, "output": message, **PLAIN_TEXT, "tests": [], "visibility": "visible"}
    all_notes = [*notes, *result.errors]
    lines = [
        f"Score: {result.score:g} / {result.max_score:g}",
        *(f"{name}: {t.score:g}/{t.max_score:g} {t.status}" for name, t in result.tasks.items()),
        SEE_TESTS,
    ]
    if all_notes:
        lines.append(f'{len(all_notes)} note(s) on the notebook itself: see "{NOTES_NAME}" below.')
    hidden = str(result.feedback.get("hidden_tests", "after_due_date"))
    collapsed = [name for name, t in result.tasks.items() if t.status == "not attempted"]
    tests = [
        {
            "name": safe_text.line(f"{t.task}: {t.name}"),
            "score": t.score,
            "max_score": t.max_score,
            "status": t.status,
            "output": safe_text.message(t.output),
            "visibility": "visible" if t.visibility == "visible" else hidden,
        }
        for t in result.tests
        if t.task not in collapsed
    ]
    tests += [
        {
            "name": safe_text.line(f"{name}: not attempted"),
            "score": 0.0,
            "max_score": round_score(sum(t.max_score for t in result.tests if t.task == name)),
            "status": "failed",
            "output": safe_text.message(result.tasks[name].output),
            "visibility": "visible",
        }
        for name in collapsed
    ]
    if all_notes:
        notes_text = "\n".join(safe_text.notes(all_notes))
        tests.insert(0, {"name": NOTES_NAME, "output": notes_text, "visibility": "visible"})
    return {
        "score": result.score,
        "execution_time": result.execution_time,
        "output": "\n".join(lines),
        **PLAIN_TEXT,
        "visibility": "visible",
        "tests": tests,
        "sandbox": result.sandbox,
    }


def run(*, course: Course, hw: str, submission_dir: Path, results_path: Path) -> dict[str, Any]:
    """What run_autograder calls on Gradescope: always writes results.json."""
    from autograder.grade import course_grader

    notebooks = sorted(submission_dir.rglob("*.ipynb"))
    preferred = [p for p in notebooks if p.name == f"{hw}.ipynb"] or notebooks
    if not preferred:
        data = results_json(None, f"No .ipynb file was submitted; upload {hw}.ipynb.")
    else:
        with course_grader(course, hw) as grader:  # workers see only the Python installation
            result = grader.grade(preferred[0], label=preferred[0].name)
        notes = []
        if len(notebooks) > 1:
            graded = safe_text.label(str(preferred[0].relative_to(submission_dir)))
            notes.append(f"{len(notebooks)} notebooks were submitted; {graded} was graded.")
        data = results_json(result, notes=notes)
        if len(notebooks) > 1:
            data["output"] = f"Several notebooks were submitted; only one was graded.\n{data['output']}"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
