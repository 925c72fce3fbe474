"""Render results for a terminal (rich tables). Results stay data; this only draws them.

Text from a result is cleaned again here (``safe_text``: no escape sequence or control character
reaches the terminal, and nothing fails to encode) and drawn as rich ``Text``, never parsed as
markup or emoji codes.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder import safe_text
from autograder.results import GradeResult

STATUS_STYLE = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "not attempted": "dim",
    "missing": "red",
    "error": "red",
}


def task_table(result: GradeResult, title: str | None = None) -> Table:
    table = Table(title=Text(safe_text.line(title or f"{result.assignment}: {result.submission['path']}")))
    for column in ("task", "score", "status", "first problem"):
        table.add_column(column, overflow="fold")
    for name, task in result.tasks.items():
        label = f"{name} (bonus)" if task.bonus else name
        table.add_row(
            Text(safe_text.line(label)),
            f"{task.score:g} / {task.max_score:g}",
            Text(safe_text.line(task.status), style=STATUS_STYLE.get(task.status, "")),
            Text(safe_text.message(task.output)),
        )
    table.add_row("[bold]total[/]", f"[bold]{result.score:g} / {result.max_score:g}[/]", "", "")
    return table


def check_table(result: GradeResult, title: str) -> Table:
    """``autograder check``'s table: public checks passed per task, never a score (the grade comes
    from the hidden tests, which a check does not run)."""
    table = Table(title=Text(safe_text.line(title)))
    for column in ("task", "public checks passed", "status", "first problem"):
        table.add_column(column, overflow="fold")
    for name, task in result.tasks.items():
        runs = [t for t in result.tests if t.task == name]
        passed = sum(t.status == "passed" for t in runs)
        status = task.status if task.status in ("not attempted", "missing", "error") else (
            "passed" if runs and passed == len(runs) else "failed"
        )
        table.add_row(
            Text(safe_text.line(f"{name} (bonus)" if task.bonus else name)),
            f"{passed} / {len(runs)}",
            Text(safe_text.line(status), style=STATUS_STYLE.get(status, "")),
            Text("" if status == "not attempted" else safe_text.message(task.output)),
        )
    return table


def print_result(result: GradeResult, console: Console, title: str | None = None) -> None:
    console.print(task_table(result, title))
    for error in result.errors:
        console.print(Text.assemble(("note:", "yellow"), " ", safe_text.message(error)))


def summary_table(results: dict[str, GradeResult]) -> Table:
    table = Table(title="class summary")
    table.add_column("submission")
    table.add_column("score", justify="right")
    table.add_column("problems")
    for ident, result in results.items():
        problems = [f"{n}: {t.status}" for n, t in result.tasks.items() if t.status != "passed"]
        table.add_row(
            Text(safe_text.label(ident)),
            f"{result.score:g} / {result.max_score:g}",
            Text(safe_text.line(", ".join(problems))),
        )
    return table


def print_failures(results: dict[str, GradeResult], console: Console) -> None:
    """The end-of-batch summary of submissions that had problems beyond failed tests."""
    troubled = {i: r for i, r in results.items() if r.errors}
    if not troubled:
        return
    console.print(f"[yellow]{len(troubled)} of {len(results)} submissions had notebook-level problems:[/]")
    for ident, result in troubled.items():
        more = f" (+{len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
        console.print(Text(f"  {safe_text.label(ident)}: {safe_text.message(result.errors[0])}{more}"))
