"""Evidence that hw3_lms's objectives work, offline: pretrain tiny models with MLM and causal LM
(the solution's own functions and sampler) on the smoke corpus, print held-out loss and perplexity
before and after, then fine-tune on the downstream task next to the same models from scratch.

    .venv/bin/python bench/hw3_pretraining.py [--pretrain-steps 600] [--finetune-steps 150] [--probe]

It runs the solution notebook's set-up, task and training-library cells (not its experiment cells)
in smoke mode, single-threaded; a few minutes on one CPU core.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import math
import random
import sysconfig
import time
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "hw3_lms" / "hw3_lms.ipynb"
LIBRARY = [
    "setup_imports",
    "mlm",
    "clm",
    "mass",
    "t5",
    "sampler",
    "bart",
    "electra",
    "train_imports",
    "corpus",
    "models",
    "pretrain",
    "downstream",
]


def load(overrides: dict) -> dict:
    cells = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(NOTEBOOK, as_version=4).cells
        if c.cell_type == "code"
    }
    ns: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for gid in LIBRARY:
            exec(compile(cells[gid], f"<cell {gid}>", "exec"), ns)
            if gid == "train_imports":
                ns["CFG"].update(overrides)
    return ns


def stdlib_docstrings(limit: int) -> list[str]:
    """Paragraphs of the standard library's docstrings: more offline English for pretraining."""
    paragraphs: list[str] = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        if {"test", "tests", "idlelib", "site-packages", "dist-packages"} & set(path.parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    paragraphs += [p.strip() for p in doc.split("\n\n") if len(p.split()) >= 8]
    unique = list(dict.fromkeys(paragraphs))
    random.Random(0).shuffle(unique)
    return unique[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pretrain-steps", type=int, default=600)
    parser.add_argument("--finetune-steps", type=int, default=150)
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument(
        "--docstrings",
        type=int,
        default=20000,
        help="extra pretraining paragraphs from the standard library's docstrings",
    )
    parser.add_argument("--labeled", type=int, default=200, help="labelled downstream texts to fine-tune on")
    parser.add_argument(
        "--probe", action="store_true", help="freeze the body: a linear probe on pooled states"
    )
    args = parser.parse_args()
    started = time.time()
    ns = load({"texts": args.texts})
    extra = [ns["encode"](p) for p in stdlib_docstrings(args.docstrings)]
    ns["train_ids"].extend(extra)
    print(
        f"corpus: {len(ns['train_ids'])} training texts ({len(extra)} from docstrings), "
        f"{len(ns['held_out'])} held out, vocabulary {ns['VOCAB']} (Python documentation, offline)"
    )
    ds_train, ds_test = ns["downstream_split"](ns["downstream_pairs"])
    ds_train = ds_train[: args.labeled]
    print(
        f"downstream: {len(ds_train)} labelled training / {len(ds_test)} test texts, "
        f"{len(ns['CLASS_NAMES'])} topics"
    )
    rows = []
    for objective, kind in (("mlm", "encoder"), ("clm", "decoder")):
        with contextlib.redirect_stdout(io.StringIO()):
            model, _, (before, after) = ns["pretrain"](objective, args.pretrain_steps, ns["train_ids"])
        scratch = ns["build_model"](kind)
        if args.probe:
            for p in (*model.parameters(), *scratch.parameters()):
                p.requires_grad_(False)
        _, acc_pre = ns["finetune"](model, ds_train, ds_test, args.finetune_steps)
        _, acc_scratch = ns["finetune"](scratch, ds_train, ds_test, args.finetune_steps)
        rows.append((objective, kind, before, after, acc_scratch, acc_pre))
    print(
        f"\n{'objective':>9} {'model':>8} | held-out loss before -> after (perplexity) | "
        f"downstream accuracy: scratch -> pretrained"
    )
    for objective, kind, before, after, acc_scratch, acc_pre in rows:
        print(
            f"{objective:>9} {kind:>8} | {before:.3f} -> {after:.3f} "
            f"({math.exp(before):.0f} -> {math.exp(after):.0f})"
            f"{'':>12}| {acc_scratch:.3f} -> {acc_pre:.3f}"
        )
    how = "linear-probe" if args.probe else "fine-tuning"
    print(
        f"\n{args.pretrain_steps} pretraining and {args.finetune_steps} {how} steps, "
        f"{time.time() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
