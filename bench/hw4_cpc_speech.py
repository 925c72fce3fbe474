"""Evidence that hw4's CPC learns something, offline: the espeak-ng spoken-digit corpus.

Runs the course's own cells (set-up, the `log_mel` and `cpc` task cells and Part 2's data, model
and probe cells of assignments/hw4_audio/hw4_audio.ipynb, smoke mode) with more pretraining steps,
then prints the kNN and linear-probe accuracies for speaker and word of the CPC encoder and of
randomly initialised encoders (several seeds).

    .venv/bin/python bench/hw4_cpc_speech.py [--steps 200] [--seeds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "assignments" / "hw4_audio" / "hw4_audio.ipynb"
CELLS = ("setup_imports", "log_mel", "cpc", "part2_require", "part2_data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    cells = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.source
        for c in nbformat.read(NOTEBOOK, as_version=4).cells
    }
    ns: dict = {}
    for grade_id in CELLS:
        exec(compile(cells[grade_id], f"<{grade_id}>", "exec"), ns)
    model = cells["part2_cpc"].split("started = time.time()")[0]  # the definitions, not the run
    exec(compile(model, "<part2_cpc>", "exec"), ns)
    probes = cells["part2_probes"].split("torch.manual_seed(1)")[0]
    exec(compile(probes, "<part2_probes>", "exec"), ns)
    torch, embed, probe = ns["torch"], ns["embed"], ns["probes"]
    rows = []
    for seed in range(args.seeds):
        started = time.time()
        encoder, losses = ns["pretrain"](args.steps, seed=seed)
        seconds = time.time() - started
        torch.manual_seed(100 + seed)
        random_encoder = ns["Encoder"](ns["CONFIG"]["width"])
        for name, enc in (("CPC", encoder), ("random", random_encoder)):
            emb = embed(enc)
            for task, labels in (("speaker", ns["speakers"]), ("word", ns["words"])):
                knn, linear = probe(emb, labels, seed=seed)
                rows.append((seed, name, task, knn, linear))
        print(
            f"seed {seed}: CPC loss {losses[0]:.3f} -> {sum(losses[-20:]) / 20:.3f}, "
            f"{args.steps} steps in {seconds:.0f} s"
        )
    print(f"{'encoder':>8} {'probe':>8} {'kNN':>6} {'linear':>7}   (mean over {args.seeds} seeds)")
    for name in ("CPC", "random"):
        for task in ("speaker", "word"):
            picked = [r for r in rows if r[1] == name and r[2] == task]
            knn = sum(r[3] for r in picked) / len(picked)
            linear = sum(r[4] for r in picked) / len(picked)
            print(f"{name:>8} {task:>8} {knn:6.3f} {linear:7.3f}")


if __name__ == "__main__":
    main()
