"""Full mode, exercised offline: format-exact miniature datasets (autograder.miniatures) are read by
torchvision's own loaders, the competition reader and datasets.load_dataset, and every solution
notebook runs end to end in MODE = "full" on them: the real full-mode code (ResNet-18 at 96x96,
STL-10/CIFAR-10 through torchvision, the competition files, BookCorpus/AG News through `datasets`),
on CPU here, with only the data root and short step counts and batches taken from the environment
variables documented in each notebook's first cell. bench/full_mode_gpu.sh runs the same on CUDA."""

from __future__ import annotations

import hashlib
import pickle
import shutil
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from autograder import miniatures
from autograder.course import Course

COURSE = Course.find(Path(__file__).parent)
BUDGET_SECONDS = 900  # per cell: a guard against a runaway notebook, not a benchmark
# The short-run settings the notebooks read in full mode (documented in their first cells).
# hw4_audio reads the Speech Commands miniature at $SSL_DATA_ROOT/speech_commands.
HOMEWORKS = ("hw1_pretext", "hw2_contrastive", "hw3_lms", "hw4_audio")
# One step or epoch per loop, 8 images or 256 tokens per batch, no loader processes: the CI budget.
SHORT_RUN = {"SSL_FULL_STEPS": "1", "SSL_FULL_BATCH": "8", "SSL_FULL_TOKENS": "256", "SSL_FULL_WORKERS": "0"}


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("miniatures")
    miniatures.generate(root)
    return root


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_stl10_miniature__is_read_by_torchvision_in_every_split(mini):
    from torchvision.datasets import STL10

    with pytest.raises(RuntimeError, match="corrupted"):
        STL10(str(mini), split="train")  # the real md5 sums do not match, as expected
    with miniatures.accept_miniature_checksums():
        train = STL10(str(mini), split="train", download=True)  # download=True: no download attempted
        test = STL10(str(mini), split="test")
        unlabeled = STL10(str(mini), split="unlabeled")
        both = STL10(str(mini), split="train+unlabeled")
        fold = STL10(str(mini), split="train", folds=9)
    n_train, n_test = 10 * miniatures.STL10_TRAIN_PER_CLASS, 10 * miniatures.STL10_TEST_PER_CLASS
    assert train.data.shape == (n_train, 3, 96, 96) and train.data.dtype == np.uint8
    assert sorted(np.bincount(train.labels)) == [miniatures.STL10_TRAIN_PER_CLASS] * 10
    assert test.data.shape == (n_test, 3, 96, 96) and sorted(np.bincount(test.labels)) == [4] * 10
    assert unlabeled.data.shape == (miniatures.STL10_UNLABELED, 3, 96, 96) and (unlabeled.labels == -1).all()
    assert len(both) == n_train + miniatures.STL10_UNLABELED and 0 < len(fold) < n_train
    assert tuple(train.classes) == miniatures.STL10_CLASSES
    image, label = train[0]
    assert image.size == (96, 96) and image.mode == "RGB" and 0 <= label < 10
    # Images depend on their class (a probe has something to learn), not only on noise.
    means = np.stack([train.data[train.labels == k].mean(axis=(0, 2, 3)) for k in range(10)])
    assert len({tuple(np.round(m)) for m in means}) == 10


def test_cifar10_miniature__is_read_by_torchvision(mini):
    from torchvision.datasets import CIFAR10

    with pytest.raises(RuntimeError, match="corrupted"):
        CIFAR10(str(mini), train=False)
    with miniatures.accept_miniature_checksums():
        test = CIFAR10(str(mini), train=False, download=True)
        train = CIFAR10(str(mini), train=True)
    assert (
        test.data.shape == (10 * miniatures.CIFAR10_TEST_PER_CLASS, 32, 32, 3) and test.data.dtype == np.uint8
    )
    assert train.data.shape == (5 * 10 * miniatures.CIFAR10_PER_CLASS_PER_BATCH, 32, 32, 3)
    assert tuple(test.classes) == miniatures.CIFAR10_CLASSES and sorted(set(test.targets)) == list(range(10))
    with open(mini / "cifar-10-batches-py" / "data_batch_1", "rb") as f:
        batch = pickle.load(f, encoding="latin1")
    assert set(batch) == {"batch_label", "labels", "data", "filenames"} and batch["data"].shape[1] == 3072


def test_checksum_patch__is_narrow_and_ends_with_its_block(mini, tmp_path):
    import torchvision.datasets.stl10 as stl10

    original = stl10.check_integrity
    unmarked = tmp_path / "stl10_binary"
    shutil.copytree(mini / "stl10_binary", unmarked)
    with miniatures.accept_miniature_checksums():
        assert stl10.check_integrity(str(mini / "stl10_binary" / "train_X.bin"), "0" * 32)
        assert not stl10.check_integrity(str(unmarked / "train_X.bin"), "0" * 32)  # no MINIATURE.json
        assert not stl10.check_integrity(str(mini / "stl10_binary" / "missing.bin"), "0" * 32)
    assert stl10.check_integrity is original


def test_competition_miniature__is_what_competition_build_writes_from_stl10(mini):
    from autograder.competition import build
    from autograder.competition.layout import CompetitionDir

    layout = CompetitionDir(mini / "competition")
    info = layout.info()
    assert info.dataset == "stl10" and info.image_shape == (3, 96, 96)
    assert (info.n_train, info.n_test, info.n_unlabeled) == (40, 40, miniatures.STL10_UNLABELED)
    train, test = build.load_split(layout, "train"), build.load_split(layout, "test")
    assert train["images"].shape == (40, 3, 96, 96) and set(test) == {"ids", "images"}
    assert layout.solution.is_file() and layout.sample_submission.is_file()


def test_hf_corpora_miniature__is_read_by_load_dataset_offline(mini, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    cache = str(tmp_path / "hf")
    books = load_dataset(str(mini / "bookcorpus"), split="train[:10%]", cache_dir=cache)
    assert books.column_names == ["text"] and len(books) == miniatures.BOOKCORPUS_SENTENCES // 10
    news = load_dataset(str(mini / "ag_news"), cache_dir=cache)
    assert set(news) == {"train", "test"} and news["train"].column_names == ["text", "label"]
    assert news["train"].features["label"].names == list(miniatures.AG_NEWS_CLASSES)
    assert len(news["test"]) == 4 * miniatures.AG_NEWS_TEST_PER_CLASS


def test_speech_commands_miniature__is_read_as_speech_commands_is(mini):
    import wave

    clips = sorted((mini / "speech_commands").glob("*/*_nohash_*.wav"))
    assert {c.parent.name for c in clips} == set(miniatures.SPEECH_WORDS)
    assert len({c.name.split("_nohash_")[0] for c in clips}) == miniatures.SPEECH_SPEAKERS
    lengths = set()
    for clip in clips:
        with wave.open(str(clip)) as audio:
            assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (16_000, 1, 2)
            lengths.add(audio.getnframes())
    assert max(lengths) == 16_000 and min(lengths) < 16_000, "full and short clips, as in the real set"


def test_generator__is_deterministic(mini, tmp_path):
    again = tmp_path / "again"
    miniatures.generate(again)
    assert _digests(again) == _digests(mini)


def test_full_mode_copy__switches_mode_and_adds_the_checksum_cell():
    source = nbformat.read(COURSE.solution_notebook("hw2_contrastive"), as_version=4)
    copy = miniatures.full_mode_notebook(source)
    setup = "\n".join(c.source for c in copy.cells if "setup" in c.metadata.get("tags", []))
    assert 'MODE = "full"' in setup and 'MODE = "smoke"' not in setup
    assert "accept_miniature_checksums()" in copy.cells[0].source
    assert len(copy.cells) == len(source.cells) + 1
    assert any('MODE = "smoke"' in c.source for c in source.cells)  # the original is untouched


@pytest.mark.slow
@pytest.mark.parametrize("hw", HOMEWORKS)
def test_solution_notebook__executes_end_to_end_in_full_mode_on_the_miniatures(
    hw, mini, tmp_path, monkeypatch
):
    folder = tmp_path / hw
    shutil.copytree(COURSE.assignments / hw, folder)
    notebook = miniatures.full_mode_notebook(nbformat.read(COURSE.solution_notebook(hw), as_version=4))
    for name, value in {**SHORT_RUN, "SSL_DATA_ROOT": str(mini)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")  # hw3: no hub access, ever
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # load_dataset's cache stays in the temp folder
    client = NotebookClient(
        notebook, timeout=BUDGET_SECONDS, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    started = time.perf_counter()
    client.execute()
    errors = [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
    text = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    print(f"{hw}: full mode on the miniatures in {time.perf_counter() - started:.0f} s")
    assert "mode full" in text.lower().replace("=", " ")  # each notebook prints its mode first
    if hw == "hw1_pretext":  # the submission covers every test id of the competition
        rows = (folder / "submission.csv").read_text().splitlines()
        assert rows[0] == "id,label" and len(rows) == 1 + 10 * miniatures.STL10_TEST_PER_CLASS
