"""``autograder competition points LEADERBOARD --roster ROSTER``: leaderboard scores to points.

Rules are thresholds, each worth points; a team earns the sum of the rules its score meets:
    baseline>0.62:1     strictly above 0.62 ("beats the baseline")
    target>=0.80:1      at least 0.80 ("reaches the target")
The roster CSV maps Kaggle names to students (columns ``kaggle_name,student_id``); a kaggle name
matches a leaderboard member user name, or the team name when the leaderboard lists no members.
Every roster student gets a row (0 points without a submission); every leaderboard entry that
matches no student is listed, never dropped. Given ``grades`` (nbgrader's ``nbgrader export``
CSV), a merged copy gets a ``competition`` column on the rows of ``assignment``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.competition import leaderboard
from autograder.competition.errors import CompetitionError

RULE = re.compile(
    r"^\s*(?P<name>[\w -]+?)\s*(?P<op>>=|>)\s*(?P<threshold>[0-9.]+)\s*:\s*(?P<points>[0-9.]+)\s*$"
)
ROSTER_COLUMNS = ("kaggle_name", "student_id")
GRADEBOOK_COLUMNS = ("assignment", "student_id")
SCORE_COLUMNS = ("raw_score", "score")  # what --add-to-score raises in nbgrader's export


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        return float(text or 0)
    except ValueError:
        raise CompetitionError(f"{path}, line {line}: {column} = {text!r} is not a number") from None


@dataclass(frozen=True)
class Rule:
    name: str
    threshold: float
    points: float
    strict: bool  # ">" (beat) or ">=" (reach)

    @classmethod
    def parse(cls, text: str) -> Rule:
        match = RULE.match(text)
        if not match:
            raise CompetitionError(
                f"rule {text!r} is not NAME>THRESHOLD:POINTS or NAME>=THRESHOLD:POINTS "
                "(e.g. 'baseline>0.62:1')"
            )
        return cls(match["name"], float(match["threshold"]), float(match["points"]), match["op"] == ">")

    def met(self, score: float) -> bool:
        return score > self.threshold if self.strict else score >= self.threshold


@dataclass(frozen=True)
class StudentPoints:
    student_id: str
    kaggle_name: str
    team_name: str
    score: float | None
    points: float
    reached: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    line: int
    team_name: str
    members: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class PointsReport:
    students: list[StudentPoints]
    unmatched: list[Unmatched]
    warnings: list[str] = field(default_factory=list)

    def by_student(self) -> dict[str, float]:
        return {s.student_id: s.points for s in self.students}


def _csv(path: Path, required: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    if not Path(path).is_file():
        raise CompetitionError(f"{path}: no such {what} file")
    reader = csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise CompetitionError(
            f"{path}: line 1 must name the columns {', '.join(required)} of a {what}; "
            f"missing {', '.join(missing)}"
        )
    return list(enumerate(reader, start=2))


def read_roster(path: Path) -> dict[str, tuple[str, str]]:
    """lower-cased kaggle name -> (student id, kaggle name as written)."""
    roster: dict[str, tuple[str, str]] = {}
    lines: dict[str, int] = {}
    problems = []
    for line, row in _csv(path, ROSTER_COLUMNS, "roster"):
        name, student = (row["kaggle_name"] or "").strip(), (row["student_id"] or "").strip()
        if not name or not student:
            problems.append(
                f"{path}: line {line} needs both a kaggle_name and a student_id; fill it in or delete it"
            )
            continue
        key = name.lower()
        if key in roster and roster[key][0] != student:
            problems.append(
                f"{path}: line {line} maps {name!r} to {student!r}, but line {lines[key]} maps it to "
                f"{roster[key][0]!r}; keep one student per Kaggle name"
            )
            continue
        roster[key], lines[key] = (student, name), line
    if problems:
        raise CompetitionError(problems)
    return roster


def compute(
    entries: list[leaderboard.Entry], roster: dict[str, tuple[str, str]], rules: list[Rule]
) -> PointsReport:
    best: dict[str, tuple[leaderboard.Entry, str]] = {}  # student -> (their best entry, kaggle name)
    unmatched = []
    for entry in entries:
        names = entry.members or (entry.team_name,)
        found = [roster[n.lower()] for n in names if n.lower() in roster]
        if not found:
            unmatched.append(Unmatched(entry.line, entry.team_name, entry.members, entry.score))
        for student, kaggle_name in found:
            if student not in best or entry.score > best[student][0].score:
                best[student] = (entry, kaggle_name)
    names_of: dict[str, list[str]] = {}
    for student, kaggle_name in roster.values():
        names_of.setdefault(student, []).append(kaggle_name)
    students = []
    for student in sorted(names_of):
        if student not in best:
            students.append(StudentPoints(student, ";".join(names_of[student]), "", None, 0.0, ()))
            continue
        entry, kaggle_name = best[student]
        reached = tuple(r.name for r in rules if r.met(entry.score))
        points = sum(r.points for r in rules if r.met(entry.score))
        students.append(StudentPoints(student, kaggle_name, entry.team_name, entry.score, points, reached))
    return PointsReport(students, unmatched)


def write_points(report: PointsReport, path: Path) -> None:
    rows = [
        [
            s.student_id,
            s.kaggle_name,
            s.team_name,
            "" if s.score is None else f"{s.score:.5f}",
            f"{s.points:g}",
            ";".join(s.reached) if s.score is not None else "no submission",
        ]
        for s in report.students
    ]
    rows += [
        [
            "",
            ";".join(u.members) or u.team_name,
            u.team_name,
            f"{u.score:.5f}",
            "0",
            f"UNMATCHED (leaderboard line {u.line}): add this Kaggle name to the roster",
        ]
        for u in report.unmatched
    ]
    _write(path, ["student_id", "kaggle_name", "team_name", "score", "points", "reached"], rows)


def merge_grades(
    report: PointsReport, grades: Path, out: Path, *, assignment: str, add_to_score: bool = False
) -> list[str]:
    """Copy nbgrader's export ``grades`` to ``out`` with a ``competition`` column on the rows of
    ``assignment``; with ``add_to_score`` the points are also added to that row's ``raw_score`` and
    ``score`` (``max_score`` stays: competition points are on top, like a bonus). Returns warnings
    (students with points but no row there)."""
    rows = _csv(grades, GRADEBOOK_COLUMNS, "gradebook export (`nbgrader export`)")
    columns = list(csv.DictReader(io.StringIO(Path(grades).read_text(encoding="utf-8-sig"))).fieldnames or [])
    if "competition" in columns:
        raise CompetitionError(f"{grades}: already has a competition column; merge into the original export")
    points = report.by_student()
    seen = set()
    merged = []
    if add_to_score:
        missing = [c for c in SCORE_COLUMNS if c not in columns]
        if missing:
            raise CompetitionError(
                f"{grades}: no {', '.join(missing)} column to add the points to; pass the CSV that "
                "`nbgrader export` writes, or leave out --add-to-score"
            )
    for line, row in rows:
        value = ""
        if row["assignment"] == assignment:
            earned = points.get(row["student_id"], 0.0)
            value = f"{earned:g}"
            seen.add(row["student_id"])
            if add_to_score:
                for column in SCORE_COLUMNS:
                    row[column] = f"{_number(row[column], grades, line, column) + earned:g}"
        merged.append([row.get(c, "") for c in columns] + [value])
    _write(out, columns + ["competition"], merged)
    return [
        f"student {s!r} earned {p:g} competition points but has no {assignment} row in {grades}; add the "
        "row (grade the assignment) or enter the points by hand"
        for s, p in sorted(points.items())
        if s not in seen and p
    ]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(
    *,
    leaderboard_file: Path,
    roster: Path,
    rules: list[str],
    out: Path,
    grades: Path | None = None,
    merged_out: Path | None = None,
    assignment: str = "hw1_pretext",
    add_to_score: bool = False,
) -> PointsReport:
    """Write points per student to ``out`` (and, given ``grades``, the merged gradebook to
    ``merged_out``); returns the report with unmatched leaderboard entries and warnings."""
    if not rules:
        raise CompetitionError("no rules given; pass e.g. --rule 'baseline>0.62:1' --rule 'target>=0.80:1'")
    parsed = [Rule.parse(r) for r in rules]
    report = compute(leaderboard.read(Path(leaderboard_file)), read_roster(Path(roster)), parsed)
    write_points(report, Path(out))
    warnings = []
    if grades is not None:
        target = Path(merged_out) if merged_out else Path(out).with_name("grades_with_competition.csv")
        warnings = merge_grades(
            report, Path(grades), target, assignment=assignment, add_to_score=add_to_score
        )
    return PointsReport(report.students, report.unmatched, warnings)
