"""The class report as data (counts, rates, plots as PNG data URIs); the template draws it."""

from __future__ import annotations

import base64
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ClassReport:
    assignment: str
    count: int
    mean: float
    median: float
    max_score: float
    task_pass_rates: list[tuple[str, float]]
    test_pass_rates: list[tuple[str, str, float]]
    common_failures: list[tuple[str, int]]
    slowest: list[tuple[str, float]]
    with_errors: list[tuple[str, str]]
    histogram_png: str
    task_rates_png: str


def class_report(results: dict[str, dict[str, Any]]) -> ClassReport:
    scores = sorted(r["score"] for r in results.values())
    first = next(iter(results.values()))
    tasks = list(first["tasks"])
    task_rates = [
        (t, _rate(r["tasks"].get(t, {}).get("status") == "passed" for r in results.values())) for t in tasks
    ]
    by_test: dict[tuple[str, str], list[bool]] = defaultdict(list)
    failures: Counter[str] = Counter()
    for result in results.values():
        for test in result["tests"]:
            by_test[(test["task"], test["name"])].append(test["status"] == "passed")
            if test["status"] != "passed" and test["output"]:
                failures[f"{test['task']}: {test['output']}"] += 1
    slowest = sorted(
        ((i, float(r.get("execution_time", 0.0))) for i, r in results.items()), key=lambda x: -x[1]
    )
    return ClassReport(
        assignment=str(first.get("assignment", "")),
        count=len(results),
        mean=sum(scores) / len(scores),
        median=scores[len(scores) // 2]
        if len(scores) % 2
        else (scores[len(scores) // 2 - 1] + scores[len(scores) // 2]) / 2,
        max_score=float(first.get("max_score", 0.0)),
        task_pass_rates=task_rates,
        test_pass_rates=sorted(((t, n, _rate(v)) for (t, n), v in by_test.items()), key=lambda x: x[2]),
        common_failures=failures.most_common(10),
        slowest=slowest[:10],
        with_errors=[(i, r["errors"][0]) for i, r in results.items() if r.get("errors")],
        histogram_png=_histogram(scores, float(first.get("max_score", 0.0))),
        task_rates_png=_bars(task_rates),
    )


def _rate(flags: Any) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _histogram(scores: list[float], max_score: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(
        scores, bins=min(20, max(5, len(set(scores)))), range=(0, max(max_score, max(scores, default=0)) or 1)
    )
    ax.set_xlabel("score")
    ax.set_ylabel("submissions")
    ax.set_title("score distribution")
    png = _png(fig)
    plt.close(fig)
    return png


def _bars(task_rates: list[tuple[str, float]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.4 * len(task_rates) + 1))
    ax.barh([t for t, _ in task_rates], [100 * r for _, r in task_rates])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions with full marks")
    ax.invert_yaxis()
    png = _png(fig)
    plt.close(fig)
    return png
