"""Evidence that hw2's SimCLR works, offline on a laptop: scikit-learn's digits upscaled to 32x32.

Pretrains a small CNN with the course solution's `nt_xent_loss`, `simclr_augmentation`/`TwoViews`
(taken from solutions/hw2_contrastive/hw2_contrastive.ipynb: its set-up and task cells), then
compares the same linear probe (logistic regression on frozen, standardised average-pooled
features) on the pretrained encoder and on randomly initialised encoders, plus the kNN monitor.

    .venv/bin/python bench/hw2_simclr_digits.py [--steps 300] [--seeds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

SOLUTION = Path(__file__).resolve().parents[1] / "solutions" / "hw2_contrastive" / "hw2_contrastive.ipynb"
TASKS = ("nt_xent", "augment", "knn")


def course_functions() -> dict:
    """The solution notebook's set-up cells and the task cells this bench needs, executed."""
    notebook = nbformat.read(SOLUTION, as_version=4)
    namespace: dict = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if "setup" in cell.metadata.get("tags", []) or grade_id in TASKS:
            exec(compile(cell.source, f"<{grade_id}>", "exec"), namespace)
    return namespace


def digits(size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    data = load_digits()
    images = torch.tensor(data.images, dtype=torch.float32)[:, None] / 16.0  # (N, 1, 8, 8)
    images = F.interpolate(images, size=size, mode="bilinear", align_corners=False).clamp(0, 1)
    return images.repeat(1, 3, 1, 1), torch.tensor(data.target)  # (N, 3, 32, 32), (N,)


def encoder() -> nn.Module:
    blocks, width = [], 3
    for out in (32, 64, 128, 128):
        blocks += [
            nn.Conv2d(width, out, 3, padding=1, bias=False),
            nn.BatchNorm2d(out),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]
        width = out
    return nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())  # (B, 128)


@torch.no_grad()
def features(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    net.eval()
    out = torch.cat([net(chunk) for chunk in images.split(512)])
    net.train()
    return out


def probe(net: nn.Module, train: tuple, test: tuple, per_class: int | None = None, draws: int = 5) -> float:
    """Test accuracy of logistic regression on standardised frozen features, trained on the whole
    labeled split or on `per_class` labels per class (mean over `draws` random label subsets)."""
    train_x, test_x = features(net, train[0]).numpy(), features(net, test[0]).numpy()
    train_y = train[1].numpy()
    subsets = [list(range(len(train_y)))] if per_class is None else []
    for draw in range(draws if per_class else 0):
        g = torch.Generator().manual_seed(draw)
        subsets.append(
            [
                int(i)
                for c in range(10)
                for i in torch.nonzero(train[1] == c).flatten()[
                    torch.randperm(int((train[1] == c).sum()), generator=g)
                ][:per_class]
            ]
        )
    scores = []
    for idx in subsets:
        scaler = StandardScaler().fit(train_x[idx])
        clf = LogisticRegression(max_iter=3000).fit(scaler.transform(train_x[idx]), train_y[idx])
        scores.append(clf.score(scaler.transform(test_x), test[1].numpy()))
    return float(sum(scores) / len(scores))


def knn_accuracy(fns: dict, net: nn.Module, train: tuple, test: tuple) -> float:
    """The notebook's kNN monitor: the course's `knn_predict` with the labeled split as the bank."""
    predictions = fns["knn_predict"](features(net, test[0]), features(net, train[0]), train[1], 10)
    return float((predictions == test[1]).float().mean())


def simclr(fns: dict, images: torch.Tensor, steps: int, batch: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    net = encoder()
    head = nn.Sequential(nn.Linear(128, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 64))
    params = list(net.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 2e-3, total_steps=steps, pct_start=0.05)
    views = fns["TwoViews"](fns["simclr_augmentation"](images.shape[-1]))
    for step in range(steps):
        idx = torch.randint(0, len(images), (batch,))
        pairs = [views(x) for x in images[idx]]
        v1, v2 = torch.stack([a for a, _ in pairs]), torch.stack([b for _, b in pairs])
        loss = fns["nt_xent_loss"](head(net(v1)), head(net(v2)), temperature=0.5)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % 100 == 0:
            print(f"  seed {seed} step {step + 1}/{steps}: NT-Xent {loss.item():.3f}", flush=True)
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--per-class", type=int, default=5, help="labels per class for the few-label probe")
    args = parser.parse_args()
    torch.set_num_threads(1)  # small tensors: one thread is fastest on a shared CPU
    fns = course_functions()
    images, labels = digits()
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    images, labels = images[order], labels[order]
    train, test = (images[:1000], labels[:1000]), (images[1000:], labels[1000:])
    started = time.time()
    rows = []
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        random_net = encoder()
        pretrained = simclr(fns, images, args.steps, args.batch, seed)  # all 1797 images, no labels
        rows.append(
            (
                probe(random_net, train, test, args.per_class),
                probe(pretrained, train, test, args.per_class),
                probe(random_net, train, test),
                probe(pretrained, train, test),
                knn_accuracy(fns, random_net, train, test),
                knn_accuracy(fns, pretrained, train, test),
            )
        )
        print(
            f"seed {seed}: linear probe with {args.per_class} labels/class: random init {rows[-1][0]:.3f}, "
            f"SimCLR {rows[-1][1]:.3f}; with all 1000 labels: random init {rows[-1][2]:.3f}, "
            f"SimCLR {rows[-1][3]:.3f}; kNN: random init {rows[-1][4]:.3f}, SimCLR {rows[-1][5]:.3f}",
            flush=True,
        )
    mean = [sum(r[i] for r in rows) / len(rows) for i in range(6)]
    print(
        f"digits 32x32, {args.steps} SimCLR steps x batch {args.batch}, {args.seeds} seeds, "
        f"{time.time() - started:.0f} s; mean test accuracy over seeds:"
    )
    print(
        f"  linear probe, {args.per_class} labels per class: random init {mean[0]:.3f}, SimCLR {mean[1]:.3f} "
        f"({mean[1] - mean[0]:+.3f})"
    )
    print(
        f"  linear probe, all 1000 labels:     random init {mean[2]:.3f}, SimCLR {mean[3]:.3f} "
        f"({mean[3] - mean[2]:+.3f})"
    )
    print(
        f"  kNN monitor (k=200, t=0.1):        random init {mean[4]:.3f}, SimCLR {mean[5]:.3f} "
        f"({mean[5] - mean[4]:+.3f})"
    )


if __name__ == "__main__":
    main()
