"""``autograder feedback``: one HTML page per student and a class report, from result JSON files.

Student pages show the score per task, the public checks passed, and the failed checks with their
readable reasons as far as the assignment's feedback policy allows (``view.student_view``) — the
result JSON never holds hidden test source, so neither can the page. The class report shows the
score distribution, pass rates per task and per test, the most common failures, the slowest
submissions and the submissions with notebook-level problems. Everything a student wrote is
cleaned when a result file is read (``GradeResult.from_dict``, see ``safe_text``) and escaped
(Jinja2 autoescape): a submission cannot inject markup into a page. The class report links only
to the student pages written here, by relative hrefs whose file name is percent-encoded, so a
notebook named ``javascript:alert(1).ipynb`` is a link to ``./javascript%3Aalert%281%29.html``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from autograder import safe_text
from autograder.errors import KitError
from autograder.feedback.report import class_report
from autograder.feedback.view import student_view
from autograder.results import GradeResult

TEMPLATES = Path(__file__).with_name("templates")


class FeedbackError(KitError):
    pass


def load_results(folder: Path) -> dict[str, dict[str, Any]]:
    results = {}
    for path in sorted(folder.glob("*.json")):
        if path.stem == "summary":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FeedbackError(f"{path}: not a result file ({exc})") from None
        if not isinstance(data, dict) or "tasks" not in data:
            raise FeedbackError(f"{path}: not a result file (no 'tasks')")
        try:
            results[path.stem] = GradeResult.from_dict(data).to_dict()
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FeedbackError(f"{path}: not a result file ({type(exc).__name__}: {exc})") from None
    if not results:
        raise FeedbackError(f"{folder}: no result files (*.json) to build feedback from")
    return results


def main(*, results_dir: Path, out_dir: Path, published: bool = False) -> list[Path]:
    """Write ``<id>.html`` per result and ``index.html`` (the class report); return the paths.
    Student pages follow each result's feedback policy (``student_view``): hidden tests appear
    only once it allows (after the due date, or with ``published`` for "after_published")."""
    results = load_results(results_dir)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["label"] = safe_text.label
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    student_page = env.get_template("student.html.j2")
    pages = {}  # id → the relative href of the page written for it: the only links the report has
    for ident, result in results.items():
        path = out_dir / f"{ident}.html"
        view = student_view(result, published=published)
        path.write_text(student_page.render(id=safe_text.label(ident), r=view), encoding="utf-8")
        written.append(path)
        pages[ident] = page_href(path.name)
    index = out_dir / "index.html"
    report = env.get_template("class.html.j2").render(report=class_report(results), pages=pages)
    index.write_text(report, encoding="utf-8")
    return [index, *written]


def page_href(file_name: str) -> str:
    """A link to a file next to the page: ``./`` and the percent-encoded name (no ``:`` or ``/``
    survives), so it can never carry a scheme (``javascript:``) or point at another host. A name
    the file system could not decode keeps its bytes (surrogateescape)."""
    return "./" + quote(file_name, safe="", errors="surrogateescape")
