"""``autograder competition score SUBMISSION.csv``: validate a submission like Kaggle does, then
compute the public and private accuracy exactly as the leaderboard does (the fraction of rows of
that Usage whose label is right).

Validation collects every problem, each naming the line of the file and the fix: the header must
be ``id,label``; every row has two fields; ids are known test ids, each exactly once; labels are
integers in 0..n_classes-1; no test id may be missing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.competition.errors import CompetitionError
from autograder.competition.layout import ID_COLUMN, LABEL_COLUMN, USAGE_COLUMN, CompetitionDir

USAGES = ("Public", "Private")


@dataclass(frozen=True)
class Scores:
    public: float
    private: float
    n_public: int
    n_private: int

    def render(self) -> str:
        return (
            f"public accuracy  {self.public:.5f}  ({self.n_public} rows)\n"
            f"private accuracy {self.private:.5f}  ({self.n_private} rows)"
        )


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise CompetitionError(f"{path}: no such file; pass the path of your submission CSV")
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise CompetitionError(f"{path}: not a UTF-8 text file; save the submission as CSV (UTF-8)") from None
    return list(csv.reader(text.splitlines()))


def _integer(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def read_solution(layout: CompetitionDir) -> dict[int, tuple[int, str]]:
    """id -> (label, usage) from the host's solution.csv."""
    rows = _rows(layout.solution)
    if not rows or [c.strip() for c in rows[0]] != [ID_COLUMN, LABEL_COLUMN, USAGE_COLUMN]:
        raise CompetitionError(
            f"{layout.solution}: line 1 must be '{ID_COLUMN},{LABEL_COLUMN},{USAGE_COLUMN}'; "
            "rebuild the competition"
        )
    solution = {}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 3 or _integer(row[0]) is None or _integer(row[1]) is None or row[2] not in USAGES:
            raise CompetitionError(
                f"{layout.solution}: line {line} is not 'id,label,Public|Private'; rebuild the competition"
            )
        solution[int(row[0])] = (int(row[1]), row[2])
    return solution


def read_submission(path: Path, *, test_ids: set[int], n_classes: int) -> dict[int, int]:
    """id -> label, or CompetitionError listing every problem with its line and fix."""
    rows = _rows(path)
    if not rows:
        raise CompetitionError(
            f"{path}: the file is empty; write the header '{ID_COLUMN},{LABEL_COLUMN}' "
            "and one row per test id"
        )
    problems: list[str] = []
    header = [c.strip() for c in rows[0]]
    if header != [ID_COLUMN, LABEL_COLUMN]:
        problems.append(
            f"{path}: line 1 (header) is {','.join(rows[0])!r}; it must be exactly "
            f"'{ID_COLUMN},{LABEL_COLUMN}' (lower case, in this order, no index column)"
        )
    labels: dict[int, int] = {}
    first_line: dict[int, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line (often the last one) is harmless
        where = f"{path}: line {line}"
        if len(row) != 2:
            problems.append(
                f"{where} has {len(row)} fields ({','.join(row)!r}); write exactly '<id>,<label>'"
            )
            continue
        ident, label = _integer(row[0]), _integer(row[1])
        if ident is None:
            problems.append(f"{where}: id {row[0]!r} is not an integer; copy the ids from test.csv")
            continue
        if ident not in test_ids:
            problems.append(f"{where}: id {ident} is not a test id; predict only the ids in test.csv")
            continue
        if ident in first_line:
            problems.append(
                f"{where}: id {ident} already appeared on line {first_line[ident]}; keep one row per id"
            )
            continue
        first_line[ident] = line
        if label is None or not 0 <= label < n_classes:
            problems.append(
                f"{where}: label {row[1]!r} is not an integer class in 0..{n_classes - 1}; write the "
                "class index (e.g. 3, not 3.0 or a class name)"
            )
            continue
        labels[ident] = label
    missing = sorted(test_ids - set(first_line))
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
        problems.append(
            f"{path}: {len(missing)} test ids have no row (e.g. {shown}); write one row for every "
            "id in test.csv"
        )
    if problems:
        raise CompetitionError(problems)
    return labels


def accuracy(submission: dict[int, int], solution: dict[int, tuple[int, str]]) -> Scores:
    correct = {usage: 0 for usage in USAGES}
    total = {usage: 0 for usage in USAGES}
    for ident, (label, usage) in solution.items():
        total[usage] += 1
        correct[usage] += submission[ident] == label
    return Scores(
        public=correct["Public"] / max(total["Public"], 1),
        private=correct["Private"] / max(total["Private"], 1),
        n_public=total["Public"],
        n_private=total["Private"],
    )


def main(*, submission: Path, competition: Path) -> Scores:
    """Validate ``submission`` against the competition in ``competition`` and score it."""
    layout = CompetitionDir(Path(competition))
    info = layout.info()
    solution = read_solution(layout)
    labels = read_submission(Path(submission), test_ids=set(solution), n_classes=info.n_classes)
    return accuracy(labels, solution)
