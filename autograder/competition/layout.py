"""Where the files of a built competition live (one object owns the paths).

<root>/competition.json        what `score` needs: classes, id and label columns, sizes
<root>/data/                   what participants download from Kaggle
    train.npz                  ids (N,), images (N, C, H, W) uint8, labels (N,) int64
    unlabeled.npz              images (U, C, H, W) uint8 (pretraining only)
    test.npz                   ids (T,), images (T, C, H, W) uint8, no labels
    train.csv  test.csv        the same ids (and train labels) as CSV
    sample_submission.csv      id,label with a constant prediction
    data_description.md        the text for Kaggle's "Data" tab
<root>/host/                   what only the host uploads ("solution file" and sample)
    solution.csv               id,label,Usage with Usage in {Public, Private}
    sample_submission.csv
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.competition.errors import CompetitionError

ID_COLUMN = "id"
LABEL_COLUMN = "label"
USAGE_COLUMN = "Usage"


@dataclass(frozen=True)
class CompetitionInfo:
    dataset: str
    seed: int
    n_classes: int
    class_names: tuple[str, ...]
    image_shape: tuple[int, int, int]
    n_unlabeled: int
    n_train: int
    n_test: int
    n_public: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CompetitionInfo:
        raw = json.loads(text)
        raw["class_names"] = tuple(raw["class_names"])
        raw["image_shape"] = tuple(raw["image_shape"])
        return cls(**raw)


@dataclass(frozen=True)
class CompetitionDir:
    root: Path

    @property
    def info_file(self) -> Path:
        return self.root / "competition.json"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def host(self) -> Path:
        return self.root / "host"

    @property
    def solution(self) -> Path:
        return self.host / "solution.csv"

    @property
    def sample_submission(self) -> Path:
        return self.data / "sample_submission.csv"

    def split(self, name: str) -> Path:
        return self.data / f"{name}.npz"

    def info(self) -> CompetitionInfo:
        if not self.info_file.is_file():
            raise CompetitionError(
                f"{self.root}: no competition.json here; build the competition first "
                f"(`autograder competition build --out {self.root}`) or pass the right "
                "--competition folder"
            )
        return CompetitionInfo.from_json(self.info_file.read_text(encoding="utf-8"))
