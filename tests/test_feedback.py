"""Feedback pages: what a student and an instructor see, rendered by headless Chromium."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from autograder import feedback
from autograder.results import GradeResult, TaskResult
from autograder.results import TestResult as CheckResult
from tests.conftest import HIDDEN_TESTS, write_submission

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SUBMISSIONS = {
    "ada": {},
    "bob": {"add": "def add(a, b):\n    return (a + b).float()\n"},
    "eve": {
        "add": "def add(a, b):\n    raise ValueError('<script>alert(1)</script><b>bold</b>')\n",
        "counter": None,
    },
}


@pytest.fixture(scope="module")
def pages(toy_grader, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("feedback")
    for ident, overrides in SUBMISSIONS.items():
        result = toy_grader.grade(write_submission(root / "subs" / ident, overrides))
        result.write_json(root / "results" / f"{ident}.json")
    feedback.main(results_dir=root / "results", out_dir=root / "pages")
    return root / "pages"


def render(page: Path, tmp_path: Path) -> str:
    """The page's text as Chromium lays it out (DOM after parsing), plus a screenshot."""
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp_path / f"{page.stem}.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 10_000, "the page renders to a non-empty picture"
    return dom.stdout


def visible_text(dom: str) -> str:
    without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|head)[^>]*>.*?</\1>", " ", dom, flags=re.S))
    return " ".join(html.unescape(without_tags).split())


def test_pages__one_per_student_and_a_class_report(pages):
    assert sorted(p.name for p in pages.glob("*.html")) == ["ada.html", "bob.html", "eve.html", "index.html"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_student_page__shows_scores_and_reasons_and_escapes_student_text(pages, tmp_path):
    dom = render(pages / "eve.html", tmp_path)
    text = visible_text(dom)
    assert "feedback for eve" in text and "Score: 1 / 3" in text
    assert "task cell `counter` not found" in text
    assert "<script>alert(1)</script><b>bold</b>" in text, "the student's text is shown as text"
    assert "<script>alert" not in dom.split("<body>", 1)[1].replace("&lt;script&gt;", ""), (
        "and never as markup"
    )
    bob = visible_text(render(pages / "bob.html", tmp_path))
    # Before the due date (the default policy): the score, the public checks, no hidden reason.
    assert "Score: 3.5 / 3" in bob and "add must keep the dtype" not in bob
    assert "Checks that failed (0 of 1 shown)" in bob and "hidden checks failed" in bob


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_class_report__shows_distribution_rates_failures_and_problems(pages, tmp_path):
    dom = render(pages / "index.html", tmp_path)
    text = visible_text(dom)
    assert "3 submissions" in text and "mean score" in text
    assert dom.count("data:image/png;base64,") == 2, "the two plots are embedded"
    assert re.search(r"counter\s+67%", text), "2 of 3 submissions have full marks on counter"
    assert "add must keep the dtype" in text and "eve" in text


def test_pages__never_show_hidden_test_source(pages):
    hidden_lines = {
        ln.strip() for src in HIDDEN_TESTS.values() for ln in src.splitlines() if len(ln.strip()) > 25
    }
    for page in pages.glob("*.html"):
        content = html.unescape(page.read_text())
        assert not [ln for ln in hidden_lines if ln in content]


def test_feedback__refuses_a_folder_without_results(tmp_path):
    with pytest.raises(feedback.FeedbackError, match="no result files"):
        feedback.main(results_dir=tmp_path, out_dir=tmp_path / "pages")


def _result(ident_note: str, output: str = "wrong") -> GradeResult:
    return GradeResult(
        assignment="toy",
        submission={"path": f"{ident_note}.ipynb", "sha256": ""},
        score=1.0,
        max_score=3.0,
        tasks={"add": TaskResult(1.0, 2.0, False, "partial", output)},
        tests=[CheckResult("test_add", "add", 0.0, 1.0, "failed", output, "visible")],
        errors=[ident_note],
        execution_time=1.0,
    )


def test_class_report__links_only_to_its_own_pages_by_relative_hrefs(tmp_path):
    for ident in ("javascript:alert(1)", "data:text/html,x", "ada"):
        _result(f"note of {ident}").write_json(tmp_path / "results" / f"{ident}.json")
    feedback.main(results_dir=tmp_path / "results", out_dir=tmp_path / "pages")
    index = (tmp_path / "pages" / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', index)
    assert hrefs and "./javascript%3Aalert%281%29.html" in hrefs, hrefs
    for href in hrefs:
        assert href.startswith("./") and ":" not in href and "/" not in href[2:], href
        assert (tmp_path / "pages" / unquote(href)).is_file(), "a link goes to a page written here"


def test_pages__a_result_file_with_a_lone_surrogate_and_escapes_still_renders(tmp_path):
    evil = "bad \ud800 \x1b]52;c;ZXZpbA==\x07 \u202eevil"
    _result(evil, output=evil).write_json(tmp_path / "results" / "eve.json")  # JSON escapes the surrogate
    feedback.main(results_dir=tmp_path / "results", out_dir=tmp_path / "pages")
    for page in (tmp_path / "pages").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "\\x1b]52;c;" in text and "\x1b" not in text and "\u202e" not in text and "\ud800" not in text


def _policy_pages(tmp_path: Path, toy_grader, feedback_policy: dict, published: bool = False) -> str:
    result = toy_grader.grade(write_submission(tmp_path / "subs", SUBMISSIONS["bob"]))
    data = result.to_dict() | {"feedback": feedback_policy}
    GradeResult.from_dict(data).write_json(tmp_path / "results" / "bob.json")
    feedback.main(results_dir=tmp_path / "results", out_dir=tmp_path / "pages", published=published)
    return visible_text((tmp_path / "pages" / "bob.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "policy,published,shown",
    [
        ({"hidden_tests": "after_due_date", "due": "2000-01-01T00:00:00+00:00"}, False, True),
        ({"hidden_tests": "after_due_date", "due": "2999-01-01T00:00:00+00:00"}, False, False),
        ({"hidden_tests": "after_due_date", "due": None}, False, False),
        ({"hidden_tests": "visible", "due": None}, False, True),
        ({"hidden_tests": "after_published", "due": None}, False, False),
        ({"hidden_tests": "after_published", "due": None}, True, True),
        ({"hidden_tests": "hidden", "due": "2000-01-01T00:00:00+00:00"}, True, False),
    ],
)
def test_student_page__shows_hidden_reasons_only_when_the_policy_allows(
    toy_grader, tmp_path, policy, published, shown
):
    text = _policy_pages(tmp_path, toy_grader, policy, published)
    assert "public checks passed" in text and "Score: 3.5 / 3" in text
    assert ("add must keep the dtype" in text) is shown
    assert ("Checks that failed (1 of 5 shown)" in text) is shown


def test_student_page__collapses_the_tests_of_a_task_not_attempted(toy_grader, tmp_path):
    stub = "def add(a, b):\n    raise NotImplementedError()\n"
    result = toy_grader.grade(write_submission(tmp_path / "subs", {"add": stub}))
    data = result.to_dict() | {"feedback": {"hidden_tests": "visible", "due": None}}
    GradeResult.from_dict(data).write_json(tmp_path / "results" / "zoe.json")
    feedback.main(results_dir=tmp_path / "results", out_dir=tmp_path / "pages")
    text = visible_text((tmp_path / "pages" / "zoe.html").read_text(encoding="utf-8"))
    assert "not attempted" in text
    assert "test_add__sums_tensors" not in text and "Checks that failed (0 of 2 shown)" in text
