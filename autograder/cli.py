"""The command line: a thin layer over each verb's ``main``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from rich.console import Console

from autograder.course import Course, CourseError
from autograder.sandbox.template import Sandbox

console = Console()


def _early_sandbox(preload: tuple[str, ...]) -> Sandbox:
    """Start the sandbox template before this process imports torch, so both load at once."""
    return Sandbox(preload)


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
@click.option(
    "--gradebook/--no-gradebook",
    default=None,
    help="Record scores in nbgrader's gradebook (default: for an nbgrader submitted/ tree).",
)
@course_option
def grade(
    hw: str,
    submission: Path,
    json_out: Path | None,
    out_dir: Path | None,
    jobs: int,
    gradebook: bool | None,
    course_dir: Path | None,
) -> None:
    """Grade a notebook, a folder or zip of notebooks, or an nbgrader submitted/ tree."""
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
        )


@cli.command()
@click.argument("notebook", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--hw", default=None, help="Assignment id (default: the notebook's file name).")
def check(notebook: Path, hw: str | None) -> None:
    """Run the public tests on your notebook before you submit."""
    with _early_sandbox(("torch", "numpy", "torchvision")) as sandbox:
        from autograder import grade as verb

        verb.check(notebook=notebook, hw=hw, console=console, sandbox=sandbox)


@cli.command()
@click.argument("hw")
@course_option
def audit(hw: str, course_dir: Path | None) -> None:
    """Test the tests: every catalogued mistake must lose points, every correct variant none."""
    from autograder import audit as verb

    if not verb.main(course=_course(course_dir), hw=hw, console=console):
        sys.exit(1)


def main() -> None:
    try:
        cli()
    except CourseError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(2)
