"""Student text cannot break the grader or the instructor's terminal: it is printable, capped and
valid UTF-8 in every result, console table, summary.csv and report (``autograder.safe_text``)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from autograder import grade, safe_text
from autograder.grade.plugin import TestOutcome as Outcome
from autograder.grade.report import print_failures, print_result, summary_table
from autograder.grade.scoring import Graded, score
from autograder.results import GradeResult, TaskResult
from autograder.results import TestResult as CheckResult
from tests.conftest import write_submission

# What a student can put in an exception message or a file name to reach a terminal.
ATTACKS = {
    "lone surrogate": "\ud800",
    "clear screen": "\x1b[2J\x1b[H",
    "colour": "\x1b[31mred\x1b[0m",
    "clipboard write (OSC 52)": "\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "window title": "\x1b]0;owned\x1b\\",
    "8-bit CSI": "\x9b2J",
    "carriage return": "all tests passed\r",
    "backspace": "ok\x08\x08",
    "bidi override": "\u202egnp.exe",
    "bell": "\x07",
}
EVIL = " ".join(ATTACKS.values())
TERMINAL_CONTROL = ("\x1b", "\x9b", "\x07", "\x08", "\r", "\u202e", "\ud800")

# Any code point, lone surrogates and the usual attacks included (hypothesis leaves surrogates out
# of its text by default).
ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from([*"\n\t\r\x1b\x9b\u2028\u00a0", *ATTACKS.values()]),
)
ANY_TEXT = st.lists(ANY_CHAR, max_size=300).map("".join)


def _utf8_console() -> tuple[Console, io.BytesIO]:
    """A console writing UTF-8 bytes, as a terminal's stdout does (a StringIO accepts anything)."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    return Console(file=stream, force_terminal=True, color_system="truecolor", width=120), raw


def _evil_result(text: str = EVIL, label: str = f"sub{EVIL}.ipynb") -> GradeResult:
    """A result holding raw student text, as an older kit or a file from elsewhere could."""
    return GradeResult(
        assignment="toy",
        submission={"path": label, "sha256": ""},
        score=0.0,
        max_score=3.0,
        tasks={"add": TaskResult(0.0, 2.0, False, "error", text)},
        tests=[CheckResult("test_add", "add", 0.0, 2.0, "failed", text, "visible")],
        errors=[text, f'=HYPERLINK("http://x","{text}")'],
        execution_time=0.1,
    )


# -- the functions ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ATTACKS))
def test_message__shows_control_characters_as_visible_escapes(name):
    cleaned = safe_text.message(f"before {ATTACKS[name]} after")
    assert not any(c in cleaned for c in TERMINAL_CONTROL), repr(cleaned)
    assert cleaned.startswith("before ") and cleaned.endswith(" after")
    cleaned.encode("utf-8")


def test_message__the_escapes_are_readable():
    assert safe_text.message("a\x1b[31mb\rc\x08d\u202ee\x7f") == "a\\x1b[31mb\\rc\\x08d\\u202ee\\x7f"
    assert safe_text.message("bad \ud800 half") == "bad \ufffd half"
    assert safe_text.message("non\u00a0breaking") == "non breaking"


def test_message__keeps_lines_and_tabs_and_one_line_text_does_not():
    assert safe_text.message("line 1\r\n\tline 2") == "line 1\n\tline 2"
    assert safe_text.line("line 1\n\tline 2") == "line 1  line 2"
    assert safe_text.label("a\nb.ipynb") == "a b.ipynb"


def test_caps__characters_lines_and_notes():
    long = safe_text.message("x" * 100_000)
    assert len(long) == safe_text.MAX_MESSAGE and long.endswith("…")
    many = safe_text.message("\n".join(f"line {i}" for i in range(100)))
    assert many.count("\n") == safe_text.MAX_LINES - 1 and many.endswith("…")
    path = safe_text.label("/" + "d" * 500 + "/hw2_contrastive.ipynb")
    assert (
        len(path) == safe_text.MAX_LABEL and path.startswith("…") and path.endswith("/hw2_contrastive.ipynb")
    )
    assert safe_text.message("\x1b" * 10, cap=10) == "\\x1b\\x1b…", "an escape is never cut in half"
    notes = safe_text.notes(f"note {i}" for i in range(1000))
    assert len(notes) == safe_text.MAX_NOTES and notes[-1] == "(+951 more notes not shown)"


@pytest.mark.parametrize(
    "cell", ["=1+1", "+1", "-1", "@SUM(A1:A9)", "\t=1", "\r=1", "  =cmd|' /C calc'!A0", "\uff1d1+1"]
)
def test_csv_cell__a_formula_is_neutralised(cell):
    assert _not_a_formula(safe_text.csv_cell(cell))
    assert cell.startswith("\r") or safe_text.csv_cell(cell).startswith("'"), "CR becomes a visible \\r"


def test_csv_cell__plain_text_and_numbers_are_kept():
    assert safe_text.csv_cell("ada") == "ada"
    assert safe_text.csv_cell("task `add` failed") == "task `add` failed"
    assert safe_text.csv_cell(-1.5) == -1.5


@given(ANY_TEXT, st.integers(1, 80))
def test_message__any_text_becomes_printable_capped_utf8(text, cap):
    cleaned = safe_text.message(text, cap)
    assert safe_text.is_printable(cleaned, "\n\t")
    assert len(cleaned) <= cap and cleaned.count("\n") < safe_text.MAX_LINES
    cleaned.encode("utf-8")
    assert safe_text.message(cleaned, cap) == cleaned, "idempotent"


@given(ANY_TEXT, st.integers(1, 80))
def test_line_and_label__any_text_becomes_one_printable_capped_line(text, cap):
    for clean in (safe_text.line, safe_text.label):
        cleaned = clean(text, cap)
        assert safe_text.is_printable(cleaned) and len(cleaned) <= cap
        cleaned.encode("utf-8")
        assert clean(cleaned, cap) == cleaned, "idempotent"


@given(ANY_TEXT)
def test_csv_cell__any_text_is_one_line_and_never_a_formula(text):
    cell = safe_text.csv_cell(text)
    assert isinstance(cell, str) and safe_text.is_printable(cell) and len(cell) <= safe_text.MAX_CELL
    assert _not_a_formula(cell)


def _not_a_formula(cell: object) -> bool:
    return isinstance(cell, str) and (
        cell.startswith("'") or not cell.lstrip(" ").startswith(safe_text.FORMULA_START)
    )


# -- the choke point: score() -------------------------------------------------------------------
def test_score__cleans_every_reason_note_and_the_label(toy_course):
    spec = toy_course.manifest("toy")
    outcome = Outcome("test_add", "add", 1.0, False, EVIL, True)
    result = score(
        Graded(
            spec,
            f"sub{EVIL}.ipynb",
            outcomes=[outcome],
            unavailable={"counter": EVIL, "norm": "x" * 10_000},
            missing={"counter"},
            errors=[EVIL] * 200,
        )
    )
    texts = [
        result.submission["path"],
        *result.errors,
        *(t.output for t in result.tasks.values()),
        *(t.output for t in result.tests),
    ]
    assert all(safe_text.is_printable(t, "\n\t") for t in texts), texts
    assert (
        len(result.errors) == safe_text.MAX_NOTES
        and len(result.tasks["norm"].output) == safe_text.MAX_MESSAGE
    )
    assert result.tasks["add"].output == result.tests[0].output == safe_text.message(EVIL)
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


# -- the renderers ------------------------------------------------------------------------------
def test_print_result__a_lone_surrogate_and_escape_sequences_do_not_reach_the_terminal():
    console, raw = _utf8_console()
    result = _evil_result()
    print_result(result, console)  # raised UnicodeEncodeError on a surrogate
    console.print(summary_table({f"id{EVIL}": result}))
    print_failures({f"id{EVIL}": result}, console)
    shown = raw.getvalue().decode("utf-8")
    assert "\\x1b]52;c;" in shown and "\\u202e" in shown, "the attack is shown, as text"
    for attack in ("\x1b]", "\x1b[2J", "\x1b[H", "\x9b", "\x07", "\x08", "\r", "\u202e"):
        assert attack not in shown, repr(attack)


def test_grade_main__a_surrogate_in_a_student_message_still_writes_the_json(toy_course, toy_grader, tmp_path):
    payload = repr(EVIL)  # the cell raises the attack text as its message
    notebook = write_submission(
        tmp_path / "sub", {"add": f"def add(a, b):\n    raise ValueError({payload})\n"}, name="evil.ipynb"
    )
    console, raw = _utf8_console()
    out = tmp_path / "evil.json"
    grade.main(
        course=toy_course,
        hw="toy",
        submission=notebook,
        json_out=out,
        console=console,
        sandbox=toy_grader.sandbox,
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    reasons = [t["output"] for t in data["tests"] if t["task"] == "add"]
    assert reasons and all("\\x1b]52;c;" in r and "\ufffd" in r for r in reasons), reasons
    shown = raw.getvalue().decode("utf-8")
    assert "\\x1b]52;c;" in shown and "\x1b]52" not in shown and "\x9b" not in shown


def test_write_summary__csv_cells_are_one_line_and_never_formulas(tmp_path):
    results = {"=cmd|' /C calc'!A0": _evil_result(), "-2+3": _evil_result("@SUM(1)")}
    grade.write_summary(results, tmp_path)
    rows = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8", newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert [row[0] for row in rows[1:]] == ["'=cmd|' /C calc'!A0", "'-2+3"]
    assert all(_not_a_formula(c) for c in cells), cells
    assert all(safe_text.is_printable(c) for c in cells), cells


def test_from_dict__a_result_file_from_elsewhere_is_cleaned_when_read(tmp_path):
    data = _evil_result().to_dict()
    back = GradeResult.from_dict(json.loads(json.dumps(data)))
    texts = [back.submission["path"], *back.errors, back.tasks["add"].output, back.tests[0].output]
    assert all(safe_text.is_printable(t, "\n\t") for t in texts), texts
    assert GradeResult.from_dict(back.to_dict()) == back, "reading a clean result changes nothing"
