"""``autograder competition build``: write a competition's files deterministically.

The same dataset, seed and sizes always give byte-identical files (see ``layout`` for the
layout). Public and private test rows are a seeded split of the test ids, as Kaggle's solution
file's ``Usage`` column expects.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np

from autograder.competition import datasets
from autograder.competition.errors import CompetitionError
from autograder.competition.layout import (
    ID_COLUMN,
    LABEL_COLUMN,
    USAGE_COLUMN,
    CompetitionDir,
    CompetitionInfo,
)

DESCRIPTION = """# {title}

Pretrain an encoder on `unlabeled.npz` with a pretext task, probe it on `train.npz`, and predict a
label for every image of `test.npz`.

## Files
- `unlabeled.npz`: `images` ({n_unlabeled}, {shape}) uint8, no labels: use them for pretraining.
- `train.npz`: `ids`, `images` ({n_train}, {shape}) uint8 and `labels` ({n_train},) in 0..{last}.
  `train.csv` holds the same ids and labels.
- `test.npz`: `ids` and `images` ({n_test}, {shape}) uint8, no labels. `test.csv` lists the ids.
- `sample_submission.csv`: the format to submit: header `{id},{label}`, one row per test id.

Classes: {classes}.

## Evaluation
Accuracy (the fraction of test ids whose label is right). The public leaderboard uses {n_public}
of the test ids, the private leaderboard the other {n_private}; which ids are public is hidden.
"""


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """np.savez writes zip entries with the current time; fixed-time entries keep files identical."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, buffer.getvalue())


def _split(source: datasets.Source, *, rng: np.random.Generator, n_train: int, n_test: int):
    if source.images is None or source.labels is None:
        assert source.train is not None and source.test is not None and source.unlabeled is not None
        return source.train, source.test, source.unlabeled
    total = len(source.labels)
    if n_train + n_test >= total:
        raise CompetitionError(
            f"--train-size {n_train} + --test-size {n_test} leave no unlabeled images "
            f"out of {total}; choose smaller sizes"
        )
    order = rng.permutation(total)
    train, test, unlabeled = order[:n_train], order[n_train : n_train + n_test], order[n_train + n_test :]
    return (
        (source.images[train], source.labels[train]),
        (source.images[test], source.labels[test]),
        source.images[unlabeled],
    )


def main(
    *,
    out: Path,
    dataset: str = "digits",
    seed: int = 0,
    train_size: int = 300,
    test_size: int = 500,
    public_fraction: float = 0.5,
    data_root: Path | None = None,
    unlabeled_limit: int | None = None,
    title: str = "hw1_pretext: SSL with pretext tasks",
) -> CompetitionDir:
    """Build the competition into ``out`` (replaced if it exists) and return its layout.

    ``train_size`` and ``test_size`` apply to datasets split here (digits); STL-10 keeps its own
    train/test/unlabeled splits."""
    if not 0 < public_fraction < 1:
        raise CompetitionError(f"--public-fraction must lie strictly between 0 and 1, got {public_fraction}")
    source = datasets.load(dataset, root=data_root or out / "downloads", unlabeled_limit=unlabeled_limit)
    rng = np.random.default_rng(seed)
    (train_x, train_y), (test_x, test_y), unlabeled = _split(
        source, rng=rng, n_train=train_size, n_test=test_size
    )
    n_public = int(round(public_fraction * len(test_y)))
    public = np.zeros(len(test_y), dtype=bool)
    public[rng.permutation(len(test_y))[:n_public]] = True
    train_ids = np.arange(len(train_y), dtype=np.int64)
    test_ids = np.arange(len(test_y), dtype=np.int64)

    layout = CompetitionDir(Path(out))
    for folder in (layout.data, layout.host):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    _save_npz(layout.split("train"), ids=train_ids, images=train_x, labels=train_y)
    _save_npz(layout.split("test"), ids=test_ids, images=test_x)
    _save_npz(layout.split("unlabeled"), images=unlabeled)
    (layout.data / "train.csv").write_text(
        _csv_text(
            [ID_COLUMN, LABEL_COLUMN], [[int(i), int(y)] for i, y in zip(train_ids, train_y, strict=True)]
        )
    )
    (layout.data / "test.csv").write_text(_csv_text([ID_COLUMN], [[int(i)] for i in test_ids]))
    sample = _csv_text([ID_COLUMN, LABEL_COLUMN], [[int(i), 0] for i in test_ids])
    layout.sample_submission.write_text(sample)
    (layout.host / "sample_submission.csv").write_text(sample)
    layout.solution.write_text(
        _csv_text(
            [ID_COLUMN, LABEL_COLUMN, USAGE_COLUMN],
            [
                [int(i), int(y), "Public" if p else "Private"]
                for i, y, p in zip(test_ids, test_y, public, strict=True)
            ],
        )
    )

    info = CompetitionInfo(
        dataset=dataset,
        seed=seed,
        n_classes=len(source.class_names),
        class_names=source.class_names,
        image_shape=(int(train_x.shape[1]), int(train_x.shape[2]), int(train_x.shape[3])),
        n_unlabeled=len(unlabeled),
        n_train=len(train_y),
        n_test=len(test_y),
        n_public=n_public,
    )
    layout.info_file.write_text(info.to_json())
    (layout.data / "data_description.md").write_text(
        DESCRIPTION.format(
            title=title,
            n_unlabeled=info.n_unlabeled,
            n_train=info.n_train,
            n_test=info.n_test,
            shape=", ".join(map(str, info.image_shape)),
            last=info.n_classes - 1,
            id=ID_COLUMN,
            label=LABEL_COLUMN,
            classes=", ".join(f"{k} = {n}" for k, n in enumerate(info.class_names)),
            n_public=n_public,
            n_private=info.n_test - n_public,
        )
    )
    return layout


def load_split(layout: CompetitionDir, name: str) -> dict[str, np.ndarray]:
    """The arrays of one split (``train``, ``test`` or ``unlabeled``)."""
    path = layout.split(name)
    if not path.is_file():
        raise CompetitionError(f"{path} is missing; build or download the competition data first")
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}
