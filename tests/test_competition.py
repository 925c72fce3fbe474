"""The class competition tools: build -> score -> points on the offline digits dataset, readable
errors for bad submissions, rosters and leaderboards, and fetch without the network."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import cli
from autograder.competition import CompetitionError, build, fetch, leaderboard, points, score
from autograder.competition.layout import CompetitionDir

FIXTURES = Path(__file__).parent / "fixtures" / "competition"
RULES = ["baseline>0.62:1", "target>=0.80:1"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> CompetitionDir:
    return build.main(out=tmp_path_factory.mktemp("competition") / "digits")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_submission(path: Path, rows: list[tuple[object, object]], header: str = "id,label") -> Path:
    path.write_text(header + "\n" + "".join(f"{i},{y}\n" for i, y in rows))
    return path


def solution_rows(layout: CompetitionDir) -> list[dict[str, str]]:
    return read_csv(layout.solution)


# --- build ---------------------------------------------------------------------------------------


def test_build__is_deterministic_byte_for_byte(built, tmp_path):
    again = build.main(out=tmp_path / "again")
    files = sorted(p.relative_to(built.root) for p in built.root.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again.root) for p in again.root.rglob("*") if p.is_file())
    for rel in files:
        assert (built.root / rel).read_bytes() == (again.root / rel).read_bytes(), (
            f"{rel} differs between builds"
        )


def test_build__writes_kaggles_layout_with_disjoint_splits(built):
    info = built.info()
    for name in (
        "train.npz",
        "test.npz",
        "unlabeled.npz",
        "train.csv",
        "test.csv",
        "sample_submission.csv",
        "data_description.md",
    ):
        assert (built.data / name).is_file(), name
    assert not (built.data / "solution.csv").exists(), "the solution must not sit among participants' files"
    train, test = build.load_split(built, "train"), build.load_split(built, "test")
    unlabeled = build.load_split(built, "unlabeled")
    assert "labels" not in test and "labels" not in unlabeled
    assert len(train["labels"]) + len(test["ids"]) + len(unlabeled["images"]) == 1797  # digits, all used once
    assert train["images"].dtype.name == "uint8" and train["images"].shape[1:] == (1, 8, 8)
    solution = solution_rows(built)
    assert (
        [int(r["id"]) for r in solution]
        == test["ids"].tolist()
        == [int(r["id"]) for r in read_csv(built.data / "test.csv")]
    )
    usage = [r["Usage"] for r in solution]
    assert usage.count("Public") == info.n_public == 250 and usage.count("Private") == 250
    assert {int(r["label"]) for r in solution} <= set(range(info.n_classes))
    sample = read_csv(built.sample_submission)
    assert [r["id"] for r in sample] == [r["id"] for r in solution] and list(sample[0]) == ["id", "label"]


def test_build__refuses_sizes_that_leave_no_unlabeled_images(tmp_path):
    with pytest.raises(CompetitionError, match="--train-size"):
        build.main(out=tmp_path / "c", train_size=1000, test_size=797)


# --- score ---------------------------------------------------------------------------------------


def test_score__the_solution_itself_scores_1_and_a_known_number_of_errors_is_counted_exactly(built, tmp_path):
    solution = solution_rows(built)
    perfect = score.main(
        submission=write_submission(tmp_path / "s.csv", [(r["id"], r["label"]) for r in solution]),
        competition=built.root,
    )
    assert (perfect.public, perfect.private) == (1.0, 1.0)
    public_ids = [r["id"] for r in solution if r["Usage"] == "Public"]
    wrong = set(public_ids[:25])  # 25 of the 250 public rows wrong, no private row wrong
    rows = [(r["id"], (int(r["label"]) + 1) % 10 if r["id"] in wrong else r["label"]) for r in solution]
    scores = score.main(submission=write_submission(tmp_path / "w.csv", rows), competition=built.root)
    assert scores.public == pytest.approx(225 / 250) and scores.private == 1.0
    assert (scores.n_public, scores.n_private) == (250, 250)


BAD = {
    "wrong_header": (lambda rows: ("ID,Label", rows), "line 1", "exactly 'id,label'"),
    "duplicate_id": (
        lambda rows: ("id,label", rows + [rows[3]]),
        "already appeared on line 5",
        "one row per id",
    ),
    "unknown_id": (
        lambda rows: ("id,label", rows + [("99999", "1")]),
        "id 99999 is not a test id",
        "test.csv",
    ),
    "missing_ids": (lambda rows: ("id,label", rows[:-3]), "3 test ids have no row", "every id in test.csv"),
    "label_out_of_range": (lambda rows: ("id,label", [(rows[0][0], "10")] + rows[1:]), "line 2", "0..9"),
    "float_label": (
        lambda rows: ("id,label", rows[:1] + [(rows[1][0], "3.0")] + rows[2:]),
        "line 3",
        "not 3.0",
    ),
    "extra_field": (
        lambda rows: ("id,label", rows[:2] + [(rows[2][0], "1,7")] + rows[3:]),
        "line 4 has 3 fields",
        "exactly '<id>,<label>'",
    ),
    "id_not_integer": (
        lambda rows: ("id,label", [("abc", "1")] + rows[1:]),
        "id 'abc' is not an integer",
        "test.csv",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_score__a_bad_submission_gets_an_error_naming_the_line_and_the_fix(built, tmp_path, case):
    edit, where, fix = BAD[case]
    rows = [(r["id"], r["label"]) for r in solution_rows(built)]
    header, bad_rows = edit(rows)
    path = write_submission(tmp_path / "bad.csv", bad_rows, header=header)
    with pytest.raises(CompetitionError) as caught:
        score.main(submission=path, competition=built.root)
    message = str(caught.value)
    assert where in message and fix in message, message


def test_score__every_problem_is_reported_not_only_the_first(built, tmp_path):
    rows = [(r["id"], r["label"]) for r in solution_rows(built)]
    path = write_submission(tmp_path / "bad.csv", [(rows[0][0], "x")] + rows[1:] + [rows[5]])
    with pytest.raises(CompetitionError) as caught:
        score.main(submission=path, competition=built.root)
    assert len(caught.value.problems) == 2, caught.value.problems


def test_score__empty_files_and_missing_competitions_say_what_to_do(built, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CompetitionError, match="write the header"):
        score.main(submission=empty, competition=built.root)
    with pytest.raises(CompetitionError, match="build the competition first"):
        score.main(submission=empty, competition=tmp_path / "nowhere")


def test_cli__build_then_score_prints_both_accuracies_and_bad_files_exit_1(tmp_path):
    runner = CliRunner()
    out = tmp_path / "comp"
    result = runner.invoke(cli, ["competition", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["competition", "score", str(out / "data" / "sample_submission.csv"), "--competition", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "public accuracy" in result.output and "private accuracy" in result.output
    bad = write_submission(tmp_path / "bad.csv", [(0, 1)], header="id,target")
    result = runner.invoke(cli, ["competition", "score", str(bad), "--competition", str(out)])
    assert (
        result.exit_code == 1
        and "exactly 'id,label'" in result.output
        and "test ids have no row" in result.output
    )


# --- points --------------------------------------------------------------------------------------


def test_points__thresholds_roster_and_unmatched_names(tmp_path):
    report = points.main(
        leaderboard_file=FIXTURES / "publicleaderboard.csv",
        roster=FIXTURES / "roster.csv",
        rules=RULES,
        out=tmp_path / "points.csv",
    )
    got = report.by_student()
    # anna 0.914 and both members of "Jigsaw Jam" 0.846 reach the target; dmitry's 0.800 reaches it exactly;
    # egor 0.702 only beats the baseline; fedor's 0.620 equals it (no point); galina never submitted.
    assert got == {"s001": 2, "s002": 2, "s003": 2, "s004": 2, "s005": 1, "s006": 0, "s007": 0, "staff": 0}
    assert [(u.line, u.team_name) for u in report.unmatched] == [(6, "ghost team")]
    rows = read_csv(tmp_path / "points.csv")
    assert any(
        r["student_id"] == "" and "UNMATCHED" in r["reached"] and r["team_name"] == "ghost team" for r in rows
    )
    assert next(r for r in rows if r["student_id"] == "s007")["reached"] == "no submission"


def test_points__merges_a_competition_column_into_the_gradebook_export(tmp_path):
    merged = tmp_path / "merged.csv"
    report = points.main(
        leaderboard_file=FIXTURES / "publicleaderboard.csv",
        roster=FIXTURES / "roster.csv",
        rules=RULES,
        out=tmp_path / "points.csv",
        grades=FIXTURES / "nbgrader_export.csv",
        merged_out=merged,
    )
    rows = read_csv(merged)
    original = read_csv(FIXTURES / "nbgrader_export.csv")
    assert [{k: v for k, v in r.items() if k != "competition"} for r in rows] == original, (
        "nothing else changes"
    )
    column = {(r["assignment"], r["student_id"]): r["competition"] for r in rows}
    assert column[("hw1_pretext", "s001")] == "2" and column[("hw1_pretext", "s006")] == "0"
    assert column[("hw2_contrastive", "s001")] == "", "other assignments' rows get no competition points"
    assert any("s005" in w and "no hw1_pretext row" in w for w in report.warnings), report.warnings


def test_points__add_to_score_raises_the_assignments_totals_only(tmp_path):
    merged = tmp_path / "merged.csv"
    points.main(
        leaderboard_file=FIXTURES / "publicleaderboard.csv",
        roster=FIXTURES / "roster.csv",
        rules=RULES,
        out=tmp_path / "points.csv",
        grades=FIXTURES / "nbgrader_export.csv",
        merged_out=merged,
        add_to_score=True,
    )
    before = {(r["assignment"], r["student_id"]): r for r in read_csv(FIXTURES / "nbgrader_export.csv")}
    for row in read_csv(merged):
        old = before[(row["assignment"], row["student_id"])]
        earned = float(row["competition"] or 0)
        assert float(row["score"]) == float(old["score"]) + earned
        assert float(row["raw_score"]) == float(old["raw_score"]) + earned
        assert row["max_score"] == old["max_score"], "competition points come on top"
        if row["assignment"] != "hw1_pretext":
            assert row["score"] == old["score"] and row["competition"] == ""
    assert any(float(r["competition"] or 0) > 0 for r in read_csv(merged)), "the fixture earns points"


def test_points__reads_the_zip_kaggle_downloads_in_the_older_layout(tmp_path):
    entries = leaderboard.read(FIXTURES / "hse-ssl-hw1-pretext.zip")
    assert [(e.team_name, e.score, e.members) for e in entries][:2] == [
        ("anna.k", 0.914, ()),
        ("dmitry-p", 0.8, ()),
    ]
    report = points.main(
        leaderboard_file=FIXTURES / "hse-ssl-hw1-pretext.zip",
        roster=FIXTURES / "roster.csv",
        rules=RULES,
        out=tmp_path / "p.csv",
    )
    assert report.by_student()["s001"] == 2 and [u.team_name for u in report.unmatched] == ["someone else"]


def test_points__bad_inputs_name_the_row_and_the_fix(tmp_path):
    with pytest.raises(CompetitionError, match="NAME>THRESHOLD:POINTS"):
        points.Rule.parse("beat the baseline 0.62")
    with pytest.raises(CompetitionError, match="--rule"):
        points.main(
            leaderboard_file=FIXTURES / "publicleaderboard.csv",
            roster=FIXTURES / "roster.csv",
            rules=[],
            out=tmp_path / "p.csv",
        )
    roster = tmp_path / "roster.csv"
    roster.write_text("kaggle_name,student_id\nanna.k,s001\nAnna.K,s009\n")
    with pytest.raises(CompetitionError, match="line 3 maps 'Anna.K' to 's009', but line 2"):
        points.read_roster(roster)
    board = tmp_path / "board.csv"
    board.write_text("TeamId,TeamName,SubmissionDate,Score\n1,a,2023-01-01,0.5\n2,b,2023-01-01,n/a\n")
    with pytest.raises(CompetitionError, match="line 3 .*'n/a'"):
        leaderboard.read(board)
    board.write_text("TeamId,Team,Score\n1,a,0.5\n")
    with pytest.raises(CompetitionError, match="needs TeamName"):
        leaderboard.read(board)


def test_cli__points_lists_unmatched_names(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "competition",
            "points",
            str(FIXTURES / "publicleaderboard.csv"),
            "--roster",
            str(FIXTURES / "roster.csv"),
            "--rule",
            RULES[0],
            "--rule",
            RULES[1],
            "--out",
            str(tmp_path / "p.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "unmatched" in result.output and "ghost team" in result.output


# --- fetch ---------------------------------------------------------------------------------------


class RecordedApi:
    """Stands in for kaggle's KaggleApi: 'downloads' the recorded leaderboard zip."""

    def competition_leaderboard_download(self, competition: str, path: str) -> None:
        shutil.copy(FIXTURES / "hse-ssl-hw1-pretext.zip", Path(path) / f"{competition}.zip")


def test_fetch__extracts_the_downloaded_leaderboard(tmp_path):
    path = fetch.main(competition="hse-ssl-hw1-pretext", out=tmp_path, api=RecordedApi())
    assert path.name == "hse-ssl-hw1-pretext-publicleaderboard.csv"
    assert len(leaderboard.read(path)) == 3


def test_fetch__without_credentials_says_how_to_get_them_and_never_imports_kaggle(tmp_path):
    code = (
        "import sys\nfrom pathlib import Path\nfrom autograder.competition import fetch, CompetitionError\n"
        "try:\n    fetch.main(competition='x', out=Path(sys.argv[1]))\n"
        "except CompetitionError as e:\n    print('ERROR', e)\n"
        "print('kaggle imported' if 'kaggle' in sys.modules else 'kaggle not imported')\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "lb")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "ERROR no Kaggle credentials found" in run.stdout and "KAGGLE_API_TOKEN" in run.stdout, (
        run.stdout + run.stderr
    )
    assert "kaggle not imported" in run.stdout
    assert fetch.credential_source({"KAGGLE_API_TOKEN": "t"}, tmp_path) == "KAGGLE_API_TOKEN"
    (tmp_path / ".kaggle").mkdir()
    (tmp_path / ".kaggle" / "kaggle.json").write_text("{}")
    assert fetch.credential_source({}, tmp_path).endswith("kaggle.json")


def test_cli__help_does_not_import_the_competition_package():
    code = (
        "import sys, autograder.cli\nprint('autograder.competition' in sys.modules, 'kaggle' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False False", run.stdout + run.stderr
