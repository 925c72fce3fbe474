"""``autograder gradescope HW``: the Gradescope autograder bundle, and the verb it runs there.

The zip holds Gradescope's two scripts and a minimal course:

    setup.sh          installs Python 3.11, a venv and this kit (torch pinned) on Gradescope's image
    run_autograder    grades /autograder/submission, writes /autograder/results/results.json
    source/           the kit, nbgrader_config.py, assignments/<hw>/ (tasks.toml, public tests, and
                      the RELEASE notebook as the set-up cells' source: no solution is uploaded),
                      hidden_tests/<hw>/

Test visibility on Gradescope: public tests are "visible"; hidden tests are "after_due_date", so
their readable reasons reach students once the deadline has passed and cannot be probed before.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from autograder.course import Course
from autograder.results import GradeResult

VISIBILITY = {"visible": "visible", "hidden": "after_due_date"}
TEMPLATES = Path(__file__).with_name("files")


def build(*, course: Course, hw: str, out_dir: Path) -> Path:
    """Write ``out_dir/gradescope_<hw>.zip`` and return its path."""
    course.check_assignment(hw)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"gradescope_{hw}.zip"
    package = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        source = stage / "source"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(package, source / "autograder", ignore=ignore)
        for name in ("pyproject.toml", "README.md", "nbgrader_config.py"):
            shutil.copy(course.root / name, source / name)
        hw_dir = source / "assignments" / hw
        hw_dir.mkdir(parents=True)
        shutil.copy(course.assignments / hw / "tasks.toml", hw_dir / "tasks.toml")
        shutil.copytree(course.public_tests(hw), hw_dir / "tests", ignore=ignore)
        shutil.copy(course.release_notebook(hw), hw_dir / f"{hw}.ipynb")
        shutil.copytree(course.hidden_test_dir(hw), source / "hidden_tests" / hw, ignore=ignore)
        for script in ("setup.sh", "run_autograder"):
            text = (TEMPLATES / script).read_text().replace("@HW@", hw)
            (stage / script).write_text(text)
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(str(path.relative_to(stage)))
                    info.external_attr = (
                        0o755 if path.name in ("setup.sh", "run_autograder") else 0o644
                    ) << 16
                    zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return archive


def results_json(result: GradeResult | None, message: str = "") -> dict[str, Any]:
    """Gradescope's results.json from our result (or a 0 with a message when nothing could run)."""
    if result is None:
        return {"score": 0.0, "output": message, "tests": [], "visibility": "visible"}
    lines = [f"{name}: {t.score:g}/{t.max_score:g} {t.status}" for name, t in result.tasks.items()]
    return {
        "score": result.score,
        "execution_time": result.execution_time,
        "output": "\n".join([*result.errors, *lines]),
        "visibility": "visible",
        "tests": [
            {
                "name": f"{t.task}: {t.name}",
                "score": t.score,
                "max_score": t.max_score,
                "status": t.status,
                "output": t.output,
                "visibility": VISIBILITY[t.visibility],
            }
            for t in result.tests
        ],
    }


def run(*, course: Course, hw: str, submission_dir: Path, results_path: Path) -> dict[str, Any]:
    """What run_autograder calls on Gradescope: never raises, always writes results.json."""
    from autograder.grade import course_grader

    notebooks = sorted(submission_dir.rglob("*.ipynb"))
    preferred = [p for p in notebooks if p.name == f"{hw}.ipynb"] or notebooks
    if not preferred:
        data = results_json(None, f"No .ipynb file was submitted; upload {hw}.ipynb.")
    else:
        with course_grader(course, hw, (str(submission_dir), str(results_path.parent))) as grader:
            result = grader.grade(preferred[0], label=preferred[0].name)
        data = results_json(result)
        if len(preferred) > 1:
            data["output"] = (
                f"Several notebooks were submitted; {preferred[0].name} was graded.\n" + data["output"]
            )
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
