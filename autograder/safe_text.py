"""Student text made safe to show: printable, size-capped, always valid UTF-8.

Student code chooses the text of its exception messages, its notebook's file name and what its
cells hold, and that text reaches the instructor's terminal, the result JSON, summary.csv, the HTML
feedback pages and Gradescope. This module alone decides what such text may contain:

- A character that is not printable becomes a visible escape, written as Python's ``repr`` writes
  it: ESC → ``\\x1b``, CR → ``\\r``, backspace → ``\\x08``, DEL and C1 controls, bidi overrides
  (U+202E → ``\\u202e``), zero-width and tag characters. No terminal or editor acts on the text
  (colours, cursor moves, clipboard writes through OSC 52, window titles, overwritten lines,
  reordered text) and the reader still sees that something was there. A backslash the student
  wrote is left alone: the aim is safe text, not text that can be turned back into the original.
- Half of a surrogate pair (a string that never was valid Unicode) becomes U+FFFD, so the text
  always encodes to UTF-8: a lone surrogate used to stop the grader while it printed its table.
- A Unicode space other than " " (no-break, ideographic, ...) becomes " ".
- A message keeps ``\\n`` and ``\\t`` (a multi-line reason stays readable; ``\\r\\n`` becomes
  ``\\n``); one-line text (file names, titles, CSV cells) turns them into a space.
- Each kind of text has a cap, in characters after escaping; elided text is marked with "…".

``grade.scoring.score`` applies this once to everything student-derived in a result; the console
table, summary.csv, the HTML pages, Gradescope's results.json and the reading back of result files
apply it again, so a result file from elsewhere cannot get through either. Every function is
idempotent: cleaning clean text changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# A test's or task's reason, a notebook-level note: a sentence or two with a few values (the same
# cap as grade.plugin.MAX_REASON). About six lines of the console table's last column; keeps the
# reasons of a hundred tests in one result under 50 kB.
MAX_MESSAGE = 500
# Lines in one message: room for a syntax error with its caret line or the end of a traceback,
# not enough for one reason to push the rest of the table off the screen.
MAX_LINES = 12
# A file name, a path or a submission id shown as a label (Linux allows 255 bytes per file name;
# a path's end names the file, so labels keep their end).
MAX_LABEL = 200
# Notebook-level notes in one result: the engine writes a few per task; more would be a notebook
# built to flood the reports.
MAX_NOTES = 50
# One summary.csv cell (a submission's notes, joined): what a TA reads in a spreadsheet; the
# whole notes are in the result JSON.
MAX_CELL = 2000

ELLIPSIS = "…"
REPLACEMENT = "\ufffd"
# A spreadsheet evaluates a cell that starts with one of these (OWASP's CSV injection list, plus
# the full-width forms some spreadsheets also accept).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def message(text: str, cap: int = MAX_MESSAGE) -> str:
    """Multi-line text (a reason, a note): printable but for ``\\n`` and ``\\t``, at most ``cap``
    characters and ``MAX_LINES`` lines."""
    window = text[: 2 * cap + 2].replace("\r\n", "\n")  # enough to fill ``cap`` (CRLF shrinks)
    lines = window.split("\n")
    elided = len(text) > 2 * cap + 2 or len(lines) > MAX_LINES
    return _capped([_visible(ch, "\n\t") for ch in "\n".join(lines[:MAX_LINES])], cap, elided)


def line(text: str, cap: int = MAX_MESSAGE) -> str:
    """One-line text (a title, a status): printable, at most ``cap`` characters, its start kept."""
    return _capped([_visible(ch, "") for ch in text[: cap + 1]], cap, len(text) > cap + 1)


def label(text: str, cap: int = MAX_LABEL) -> str:
    """A file name, path or id: printable, one line, at most ``cap`` characters, its END kept."""
    pieces = [_visible(ch, "") for ch in text[-(cap + 1) :]]
    return _capped(pieces, cap, len(text) > cap + 1, keep_end=True)


def notes(texts: Iterable[str]) -> list[str]:
    """Notebook-level notes: each a message, at most ``MAX_NOTES`` of them (the last says how many
    more there were)."""
    cleaned = [message(t) for t in texts]
    if len(cleaned) <= MAX_NOTES:
        return cleaned
    return [*cleaned[: MAX_NOTES - 1], f"(+{len(cleaned) - MAX_NOTES + 1} more notes not shown)"]


def csv_cell(value: object) -> object:
    """A summary.csv cell: numbers as they are; text on one line, capped, and never a formula
    (a cell a spreadsheet would evaluate gets a leading ``'``, as OWASP advises)."""
    if not isinstance(value, str):
        return value
    text = line(value, MAX_CELL - 1)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def is_printable(text: str, allowed: str = "") -> bool:
    """What every function here returns: printable characters, and those in ``allowed``."""
    return all(ch.isprintable() or ch in allowed for ch in text)


def _visible(ch: str, keep: str) -> str:
    """One character as it may be shown: itself, a space, U+FFFD or a visible escape."""
    if ch.isprintable() or ch in keep:
        return ch
    if ch in "\n\t" or unicodedata.category(ch) == "Zs":
        return " "
    if "\ud800" <= ch <= "\udfff":
        return REPLACEMENT
    return repr(ch)[1:-1]  # \x1b, \r, \x7f, \u202e, \U000e0041: always printable ASCII


def _capped(pieces: list[str], cap: int, elided: bool, keep_end: bool = False) -> str:
    """Join ``pieces``; when they exceed ``cap`` (or text was already dropped), keep whole pieces
    (an escape is never cut in half) up to ``cap - 1`` characters, from the start or from the
    end, and mark the cut with the ellipsis."""
    if not elided and sum(map(len, pieces)) <= cap:
        return "".join(pieces)
    kept: list[str] = []
    used = 0
    for piece in reversed(pieces) if keep_end else pieces:
        if used + len(piece) > cap - 1:
            break
        kept.append(piece)
        used += len(piece)
    return ELLIPSIS + "".join(reversed(kept)) if keep_end else "".join(kept) + ELLIPSIS
