"""Reading a Kaggle leaderboard as ``kaggle competitions leaderboard NAME --download`` saves it:
a zip holding ``<name>-publicleaderboard.csv`` (or that CSV itself).

Kaggle has written two layouts; both are read:
    TeamId,TeamName,SubmissionDate,Score
    Rank,TeamId,TeamName,LastSubmissionDate,Score,SubmissionCount,TeamMemberUserNames
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.competition.errors import CompetitionError

REQUIRED = ("TeamName", "Score")


@dataclass(frozen=True)
class Entry:
    line: int  # line of the CSV, for messages
    team_id: str
    team_name: str
    members: tuple[str, ...]  # Kaggle user names; empty when the layout has no member column
    score: float


def _text(path: Path) -> tuple[str, str]:
    """(CSV text, name to use in messages)."""
    if not path.is_file():
        raise CompetitionError(
            f"{path}: no such file; download it with `autograder competition fetch` or "
            "`kaggle competitions leaderboard NAME --download`"
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise CompetitionError(
                    f"{path}: expected one CSV inside the zip, found {len(names)}; unzip it and "
                    "pass the leaderboard CSV"
                )
            return archive.read(names[0]).decode("utf-8-sig"), f"{path}:{names[0]}"
    return path.read_text(encoding="utf-8-sig"), str(path)


def read(path: Path) -> list[Entry]:
    text, name = _text(Path(path))
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CompetitionError(
            f"{name}: line 1 has columns {','.join(columns) or '(none)'}; a Kaggle leaderboard "
            f"needs {', '.join(missing)} (pass the file Kaggle's leaderboard download gives)"
        )
    entries, problems = [], []
    for line, row in enumerate(reader, start=2):
        raw = (row.get("Score") or "").strip()
        try:
            score = float(raw)
        except ValueError:
            problems.append(
                f"{name}: line {line} (team {row.get('TeamName')!r}) has score {raw!r}, not a number; "
                "fix or delete that row"
            )
            continue
        members = tuple(
            m.strip()
            for m in (row.get("TeamMemberUserNames") or "").replace(";", ",").split(",")
            if m.strip()
        )
        entries.append(
            Entry(
                line, (row.get("TeamId") or "").strip(), (row.get("TeamName") or "").strip(), members, score
            )
        )
    if problems:
        raise CompetitionError(problems)
    return entries
