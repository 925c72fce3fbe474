"""The command line: a thin layer over each verb's ``main``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from autograder.course import Course, read_manifest
from autograder.errors import KitError
from autograder.sandbox.template import UNCONFINED_VARIABLE, Sandbox

console = Console()


def _early_sandbox(preload: tuple[str, ...], allow_unconfined: bool | None = None) -> Sandbox:
    """Start the sandbox template before this process imports torch, so both load at once."""
    return Sandbox(preload, allow_unconfined=allow_unconfined)


def _course(path: Path | None) -> Course:
    return Course(path.resolve()) if path else Course.find()


course_option = click.option(
    "--course",
    "course_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Course directory (default: found from here).",
)


@click.group()
def cli() -> None:
    """Autograder for the self-supervised learning course (nbgrader + sandboxed hidden tests)."""


@cli.command()
@click.argument("assignments", nargs=-1)
@click.option("--no-execute", is_flag=True, help="Do not execute the solution notebooks.")
@course_option
def release(assignments: tuple[str, ...], no_execute: bool, course_dir: Path | None) -> None:
    """Regenerate release/ and solutions/ with nbgrader, then check the release for leaks."""
    from autograder import release as verb

    problems = verb.main(
        course=_course(course_dir), assignments=list(assignments) or None, execute=not no_execute
    )
    for line in problems:
        console.print(f"[red]leak:[/] {line}")
    if problems:
        sys.exit(1)
    console.print("release/ and solutions/ regenerated; no leaks found")


@cli.command()
@click.option("--hw", required=True, help="Assignment id, e.g. hw2_contrastive.")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Result file (one notebook).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Folder for many results.")
@click.option("--jobs", default=1, show_default=True, help="Submissions graded in parallel.")
@click.option("--shard", "shard_spec", default=None, help="Grade only shard K/N (0-based), for a job matrix.")
@click.option(
    "--gradebook/--no-gradebook",
    default=None,
    help="Record scores in nbgrader's gradebook (default: for an nbgrader submitted/ tree).",
)
@click.option(
    "--no-sandbox",
    is_flag=True,
    help="Grade even where no sandbox can be had (student code then runs with your rights).",
)
@click.option("--verbose", "-v", is_flag=True, help="Every submission's task table and a class summary.")
@course_option
def grade(
    hw: str,
    submission: Path,
    json_out: Path | None,
    out_dir: Path | None,
    jobs: int,
    shard_spec: str | None,
    gradebook: bool | None,
    no_sandbox: bool,
    verbose: bool,
    course_dir: Path | None,
) -> None:
    """Grade a notebook, a folder or zip of notebooks, or an nbgrader submitted/ tree."""
    if no_sandbox:  # read by every grading process's Sandbox, --jobs ones included
        os.environ[UNCONFINED_VARIABLE] = "1"
    course = _course(course_dir)
    preload = course.manifest(course.check_assignment(hw)).preload
    with _early_sandbox(preload) if jobs == 1 else contextlib.nullcontext() as sandbox:
        from autograder import grade as verb

        verb.main(
            course=course,
            hw=hw,
            submission=submission,
            json_out=json_out,
            out_dir=out_dir,
            jobs=jobs,
            console=console,
            sandbox=sandbox,
            gradebook=gradebook,
            shard_spec=shard_spec,
            verbose=verbose,
        )


@cli.command()
@click.argument("notebook", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--hw", default=None, help="Assignment id (default: from the notebook's name or task cells).")
def check(notebook: Path, hw: str | None) -> None:
    """Run the public tests on your notebook before you submit."""
    manifest = notebook.resolve().parent / "tasks.toml"  # beside a released notebook
    preload: tuple[str, ...] = ("torch", "numpy", "torchvision")
    if manifest.is_file():
        with contextlib.suppress(KitError):  # check() reports a broken manifest itself
            preload = read_manifest(manifest, hw or "check").preload
    # A student's own machine may have no sandbox: the check runs only their own code, unconfined,
    # and its table says so (sandbox: none).
    with _early_sandbox(preload, allow_unconfined=True) as sandbox:
        from autograder import grade as verb

        verb.check(notebook=notebook, hw=hw, console=console, sandbox=sandbox)


@cli.command()
@click.argument("hw")
@click.option("--jobs", default=1, show_default=True, help="Cases graded in parallel.")
@course_option
@click.option("--mutate", is_flag=True, help="Grade operator mutants of the solution instead of the cases.")
@click.option("--task", "tasks", multiple=True, help="With --mutate: only this task (repeatable).")
@click.option("--limit", type=int, default=None, help="With --mutate: at most N mutants per task.")
@click.option("--report", type=click.Path(path_type=Path), default=None, help="With --mutate: JSON report.")
def audit(
    hw: str, jobs: int, course_dir: Path | None, mutate: bool, tasks: tuple[str, ...], limit: int | None,
    report: Path | None,
) -> None:
    """Test the tests: every catalogued mistake must lose points, every correct variant none."""
    from autograder import audit as verb

    if mutate:
        from autograder.audit import mutants

        ok = mutants.main(
            course=_course(course_dir), hw=hw, jobs=jobs, tasks=list(tasks), limit=limit, report=report,
            console=console,
        )
        sys.exit(0 if ok else 1)
    if not verb.main(course=_course(course_dir), hw=hw, jobs=jobs, console=console):
        sys.exit(1)


@cli.command("new")
@click.argument("hw")
@course_option
def new(hw: str, course_dir: Path | None) -> None:
    """Scaffold homework HW: notebook, tasks.toml, public and hidden tests, audit cases."""
    from autograder import scaffold

    paths = scaffold.main(course=_course(course_dir), hw=hw)
    for path in paths:
        console.print(f"wrote {path}", highlight=False)
    console.print(
        f"next: autograder release {hw}; autograder audit {hw}; then edit the notebook (docs/authoring.md)"
    )


@cli.command()
@click.argument(
    "folders", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
def merge(folders: tuple[Path, ...], out_dir: Path) -> None:
    """Merge the result folders of several shards (a CI job matrix) into one class summary."""
    from autograder import grade as verb

    verb.merge(folders=list(folders), out_dir=out_dir, console=console)


@cli.command()
@click.argument("hw")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@course_option
def gradescope(hw: str, out_dir: Path, course_dir: Path | None) -> None:
    """Build the Gradescope autograder zip (setup.sh, run_autograder, hidden tests)."""
    from autograder import gradescope as verb

    archive = verb.build(course=_course(course_dir), hw=hw, out_dir=out_dir)
    console.print(f"Gradescope autograder written to {archive}")


@cli.command("gradescope-run", hidden=True)
@click.option("--hw", required=True)
@click.argument("submission_dir", type=click.Path(path_type=Path))
@click.argument("results_path", type=click.Path(path_type=Path))
@course_option
def gradescope_run(hw: str, submission_dir: Path, results_path: Path, course_dir: Path | None) -> None:
    """What run_autograder calls inside Gradescope's container."""
    from autograder import gradescope as verb

    course = _course(course_dir)
    data = verb.run(course=course, hw=hw, submission_dir=submission_dir, results_path=results_path)
    console.print(f"score {data['score']:g}; results written to {results_path}")


@cli.command()
@click.argument("results_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the pages."
)
@click.option(
    "--published",
    is_flag=True,
    help='Grades are published: show hidden tests where tasks.toml says hidden_tests = "after_published".',
)
def feedback(results_dir: Path, out_dir: Path, published: bool) -> None:
    """HTML feedback: one page per student and a class report (index.html), from result JSONs."""
    from autograder import feedback as verb

    pages = verb.main(results_dir=results_dir, out_dir=out_dir, published=published)
    console.print(f"{len(pages) - 1} student pages and the class report {pages[0]} written")


@cli.group()
def competition() -> None:
    """The class competition (hw1_pretext): build its files, score submissions, points, fetch."""


def _competition_errors(run):  # type: ignore[no-untyped-def]
    """Print a CompetitionError's problems (each names the row and the fix) and exit 1."""
    from autograder.competition import CompetitionError

    try:
        return run()
    except CompetitionError as exc:
        for problem in exc.problems:
            console.print(f"[red]error:[/] {problem}", highlight=False, soft_wrap=True)
        sys.exit(1)


@competition.command("build")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("competition"),
    show_default=True,
    help="Folder to (re)create.",
)
@click.option(
    "--dataset",
    type=click.Choice(["digits", "stl10"]),
    default="digits",
    show_default=True,
    help="digits: scikit-learn's, offline; stl10: downloaded through torchvision.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the splits.")
@click.option("--train-size", default=300, show_default=True, help="Labeled images (digits only).")
@click.option("--test-size", default=500, show_default=True, help="Test images (digits only).")
@click.option(
    "--public-fraction", default=0.5, show_default=True, help="Share of test ids on the public board."
)
@click.option(
    "--data-root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Download folder for stl10 (default: OUT/downloads).",
)
@click.option(
    "--unlabeled-limit", type=int, default=None, help="Keep only this many unlabeled images (stl10)."
)
def competition_build(
    out: Path,
    dataset: str,
    seed: int,
    train_size: int,
    test_size: int,
    public_fraction: float,
    data_root: Path | None,
    unlabeled_limit: int | None,
) -> None:
    """Write the competition's files deterministically (data/ for participants, host/ for Kaggle)."""
    from autograder.competition import build

    layout = _competition_errors(
        lambda: build.main(
            out=out,
            dataset=dataset,
            seed=seed,
            train_size=train_size,
            test_size=test_size,
            public_fraction=public_fraction,
            data_root=data_root,
            unlabeled_limit=unlabeled_limit,
        )
    )
    info = layout.info()
    console.print(
        f"{dataset} competition in {out}: {info.n_unlabeled} unlabeled, {info.n_train} train, "
        f"{info.n_test} test ({info.n_public} public); upload data/ and host/solution.csv to Kaggle"
    )


@competition.command("score")
@click.argument("submission", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--competition",
    "competition_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("competition"),
    show_default=True,
    help="Folder made by `competition build`.",
)
def competition_score(submission: Path, competition_dir: Path) -> None:
    """Validate SUBMISSION (a CSV) and print its public and private accuracy."""
    from autograder.competition import score

    scores = _competition_errors(lambda: score.main(submission=submission, competition=competition_dir))
    console.print(scores.render(), highlight=False)


@competition.command("points")
@click.argument("leaderboard_file", metavar="LEADERBOARD", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV with columns kaggle_name,student_id.",
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="NAME>T:P | NAME>=T:P",
    help="P points for a score above (>) or at least (>=) T; repeat for more rules.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("competition_points.csv"),
    show_default=True,
    help="Points per student (unmatched leaderboard names included).",
)
@click.option(
    "--grades",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="nbgrader's gradebook export (`nbgrader export`) to merge the points into.",
)
@click.option(
    "--merged",
    "merged_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Merged gradebook CSV (default: grades_with_competition.csv next to --out).",
)
@click.option(
    "--assignment", default="hw1_pretext", show_default=True, help="Gradebook rows that get the points."
)
@click.option(
    "--add-to-score",
    is_flag=True,
    help="Also add the points to raw_score and score of those rows (max_score unchanged).",
)
def competition_points(
    leaderboard_file: Path,
    roster: Path,
    rules: tuple[str, ...],
    out: Path,
    grades: Path | None,
    merged_out: Path | None,
    assignment: str,
    add_to_score: bool,
) -> None:
    """Turn a Kaggle LEADERBOARD (CSV or zip) into points per student, optionally merged into grades."""
    from autograder.competition import points

    report = _competition_errors(
        lambda: points.main(
            leaderboard_file=leaderboard_file,
            roster=roster,
            rules=list(rules),
            out=out,
            grades=grades,
            merged_out=merged_out,
            assignment=assignment,
            add_to_score=add_to_score,
        )
    )
    console.print(
        f"{len(report.students)} students, {sum(s.points for s in report.students):g} points in all: {out}"
    )
    for entry in report.unmatched:
        console.print(
            f"[yellow]unmatched:[/] leaderboard line {entry.line}: team {entry.team_name!r} "
            f"({', '.join(entry.members) or 'no member names'}) scored {entry.score:.5f}; "
            "add its Kaggle name to the roster",
            highlight=False,
        )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


@competition.command("fetch")
@click.argument("name")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("leaderboard"),
    show_default=True,
    help="Folder for the downloaded leaderboard.",
)
def competition_fetch(name: str, out: Path) -> None:
    """Download competition NAME's leaderboard with the kaggle package (needs Kaggle credentials)."""
    from autograder.competition import fetch

    path = _competition_errors(lambda: fetch.main(competition=name, out=out))
    console.print(f"leaderboard saved to {path}")


def main() -> None:
    code: int | str | None = 0
    try:
        cli()
    except SystemExit as exc:  # click ends every command this way
        code = exc.code
    except KitError as exc:
        console.print(f"[red]error:[/] {exc}", soft_wrap=True)
        code = 2
    _leave(code)


def _leave(code: int | str | None) -> None:
    """Exit without the interpreter's clean-up: tearing torch's modules down takes half a second,
    a tenth of a cold ``grade``. Every verb has closed its files, processes and gradebook by now."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
