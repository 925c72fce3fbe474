"""Grade the operator mutants of every homework's solution and print the figures table.

Runs ``autograder audit <hw> --mutate --report <out>/<hw>.json`` for each homework (the survivors,
with their diffs, are printed by each run), then one table: mutants generated, not viable, killed,
equivalent, survived, kill rate among the non-equivalent ones, seconds. A benchmark, never a test:
the three homeworks take tens of minutes on two cores.

    .venv/bin/python bench/mutation_report.py --jobs 2
    .venv/bin/python bench/mutation_report.py hw1_pretext --task rotation --limit 10
    .venv/bin/python bench/mutation_report.py --tables-only   # the table of the last reports
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HOMEWORKS = ["hw1_pretext", "hw2_contrastive", "hw3_lms"]
COLUMNS = ("generated", "not_viable", "killed", "equivalent", "survived")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("homeworks", nargs="*", default=HOMEWORKS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--task", action="append", default=[], help="only this task (repeatable)")
    parser.add_argument("--limit", type=int, help="at most N mutants per task")
    parser.add_argument("--out", type=Path, default=Path("out/mutants"), help="report folder")
    parser.add_argument("--tables-only", action="store_true", help="print the table of the last reports")
    args = parser.parse_args()
    failed = False
    if not args.tables_only:
        for hw in args.homeworks:
            command = [sys.executable, "-m", "autograder", "audit", hw, "--mutate", "--jobs", str(args.jobs)]
            command += [f"--task={t}" for t in args.task]
            command += ["--limit", str(args.limit)] if args.limit else []
            command += ["--report", str(args.out / f"{hw}.json")]
            failed |= subprocess.run(command).returncode != 0
    print_table([args.out / f"{hw}.json" for hw in args.homeworks])
    sys.exit(1 if failed else 0)


def print_table(reports: list[Path]) -> None:
    header = ("homework", "generated", "not viable", "killed", "equiv.", "survived", "kill rate", "seconds")
    rows = []
    totals = dict.fromkeys(COLUMNS, 0)
    seconds = 0.0
    for path in reports:
        if not path.exists():
            rows.append((path.stem, *["-"] * 7))
            continue
        report = json.loads(path.read_text())
        total = report["total"]
        figures = (str(total[c]) for c in COLUMNS)
        rows.append((report["hw"], *figures, _rate(total), f"{report['seconds']:.0f}"))
        totals = {c: totals[c] + total[c] for c in COLUMNS}
        seconds += report["seconds"]
    rows.append(("all", *(str(totals[c]) for c in COLUMNS), _rate(totals), f"{seconds:.0f}"))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)
        print("  ".join(cells))


def _rate(total: dict[str, int]) -> str:
    counted = total["killed"] + total["survived"]
    return f"{100 * total['killed'] / counted:.1f} %" if counted else "-"


if __name__ == "__main__":
    main()
