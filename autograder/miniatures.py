"""Format-exact miniature datasets, so that the notebooks' full mode runs offline, unchanged.

Every file is written in the real dataset's own on-disk format, at a handful of items per class,
deterministically (same arguments, byte-identical files):

    <out>/stl10_binary/           STL-10 as torchvision.datasets.STL10(<out>) reads it: train_X.bin,
                                  train_y.bin, test_X.bin, test_y.bin, unlabeled_X.bin (uint8,
                                  (N, 3, 96, 96) stored column-major), class_names.txt,
                                  fold_indices.txt
    <out>/cifar-10-batches-py/    CIFAR-10's python pickles for torchvision.datasets.CIFAR10(<out>):
                                  data_batch_1..5, test_batch, batches.meta, readme.html
    <out>/competition/            hw1's competition as `autograder competition build --dataset stl10
                                  --data-root <out>` writes it (read from the STL-10 miniature)
    <out>/bookcorpus/, ag_news/   hw3's corpora as Hugging Face parquet shards
                                  (data/train-00000-of-00001.parquet ...), for datasets.load_dataset
    <out>/speech_commands/        hw4's Speech Commands v0.02 layout: <word>/<speaker>_nohash_<n>.wav,
                                  16-bit PCM mono 16 kHz, some clips shorter than a second
    <out>/MINIATURE.json          what is here (marks the folder as miniature data)

torchvision verifies the md5 of every STL-10 and CIFAR-10 file against the real archives' sums,
even with download=False, and no miniature can match them. torchvision's own test suite meets the
same problem with its fake datasets by patching ``check_integrity`` (test/datasets_utils.py,
``DatasetTestCase._CHECK_FUNCTIONS``); ``accept_miniature_checksums`` does the same, more narrowly:
a file still passes when its md5 is right, and otherwise only when it lies in a folder marked by
MINIATURE.json. ``full_mode_notebook`` makes the copy of a notebook that tests and
bench/full_mode_gpu.sh run: MODE = "full", and a first cell that calls it.

    python -m autograder.miniatures --out DIR
    python -m autograder.miniatures --notebook SRC.ipynb --full-mode-copy DST.ipynb
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import re
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

MARKER = "MINIATURE.json"
VERSION = 1
STL10_CLASSES = ("airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
AG_NEWS_CLASSES = ("World", "Sports", "Business", "Sci/Tech")

# Sizes: a handful per class, but enough for the notebooks' fixed choices (t-SNE's perplexity 30
# needs more than 30 points per split; hw3 keeps 10% of BookCorpus and holds out 10% of its texts).
STL10_TRAIN_PER_CLASS = 4
STL10_TEST_PER_CLASS = 4
STL10_UNLABELED = 32
CIFAR10_PER_CLASS_PER_BATCH = 1
CIFAR10_TEST_PER_CLASS = 4
BOOKCORPUS_SENTENCES = 3_000
AG_NEWS_TRAIN_PER_CLASS = 10
AG_NEWS_TEST_PER_CLASS = 3


def _images(rng: np.random.Generator, labels: np.ndarray, size: int) -> np.ndarray:
    """(N, 3, size, size) uint8: a class colour, stripes at a class angle, and noise."""
    n = len(labels)
    hue = (labels[:, None] * 0.1 + np.array([0.0, 0.33, 0.67])) % 1.0  # (N, 3)
    colour = 60 + 140 * np.abs(np.sin(np.pi * hue))  # (N, 3) in [60, 200]
    yy, xx = np.mgrid[0:size, 0:size] / size  # (size, size)
    angle = labels * np.pi / 10  # (N,)
    phase = rng.uniform(0, 2 * np.pi, n)
    stripes = np.sin(
        2 * np.pi * 4 * (np.cos(angle)[:, None, None] * xx + np.sin(angle)[:, None, None] * yy)
        + phase[:, None, None]
    )  # (N, size, size)
    noise = rng.normal(0, 12, (n, 3, size, size))
    images = colour[:, :, None, None] + 40 * stripes[:, None] + noise
    return np.clip(np.rint(images), 0, 255).astype(np.uint8)


def _balanced_labels(rng: np.random.Generator, per_class: int, classes: int = 10) -> np.ndarray:
    return rng.permutation(np.repeat(np.arange(classes), per_class)).astype(np.int64)


def write_stl10(root: Path, *, seed: int = 0) -> Path:
    """STL-10's stl10_binary/ (the folder torchvision extracts from stl10_binary.tar.gz)."""
    rng = np.random.default_rng([seed, 10])
    folder = root / "stl10_binary"
    folder.mkdir(parents=True, exist_ok=True)

    def write_x(name: str, images: np.ndarray) -> None:
        # The binary stores each channel column-major: torchvision reads (N, 3, 96, 96) and swaps H, W.
        (folder / name).write_bytes(np.ascontiguousarray(images.transpose(0, 1, 3, 2)).tobytes())

    for split, per_class in (("train", STL10_TRAIN_PER_CLASS), ("test", STL10_TEST_PER_CLASS)):
        labels = _balanced_labels(rng, per_class)
        write_x(f"{split}_X.bin", _images(rng, labels, 96))
        (folder / f"{split}_y.bin").write_bytes((labels + 1).astype(np.uint8).tobytes())  # 1-based
    write_x("unlabeled_X.bin", _images(rng, rng.integers(0, 10, STL10_UNLABELED), 96))
    (folder / "class_names.txt").write_text("\n".join(STL10_CLASSES) + "\n")
    n_train = 10 * STL10_TRAIN_PER_CLASS  # ten folds of train indices, as the real file has
    folds = [rng.permutation(n_train)[: max(1, n_train // 5)] for _ in range(10)]
    (folder / "fold_indices.txt").write_text("".join(" ".join(map(str, f)) + " \n" for f in folds))
    return folder


def write_cifar10(root: Path, *, seed: int = 0) -> Path:
    """CIFAR-10's cifar-10-batches-py/ (the python version's pickles, as torchvision reads them)."""
    rng = np.random.default_rng([seed, 11])
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)

    def write_batch(name: str, label: str, per_class: int) -> None:
        labels = _balanced_labels(rng, per_class)
        data = _images(rng, labels, 32).reshape(len(labels), 3 * 32 * 32)  # R, G, B planes, rows
        batch = {
            "batch_label": label,
            "labels": [int(y) for y in labels],
            "data": data,
            "filenames": [f"miniature_{name}_{i:05d}.png" for i in range(len(labels))],
        }
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)

    for k in range(1, 6):
        write_batch(f"data_batch_{k}", f"training batch {k} of 5", CIFAR10_PER_CLASS_PER_BATCH)
    write_batch("test_batch", "testing batch 1 of 1", CIFAR10_TEST_PER_CLASS)
    meta = {
        "num_cases_per_batch": 10 * CIFAR10_PER_CLASS_PER_BATCH,
        "label_names": list(CIFAR10_CLASSES),
        "num_vis": 3 * 32 * 32,
    }
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump(meta, f, protocol=2)
    (folder / "readme.html").write_text("<p>Miniature CIFAR-10 (synthetic images) for offline tests.</p>\n")
    return folder


def write_competition(root: Path, *, seed: int = 0) -> Path:
    """hw1's competition, built by `competition build --dataset stl10` from the STL-10 miniature."""
    from autograder.competition import build

    with accept_miniature_checksums():
        build.main(out=root / "competition", dataset="stl10", seed=seed, data_root=root)
    return root / "competition"


_WORDS = (
    "the a of and to in was he she it that his her with as had for on at by but not they from "
    "said all were one would there their what so up out if about who them been into only could "
    "time then now over down back after little more like well very before other know man house "
    "door night eyes face hand room looked thought again never away through long first head way "
    "morning window street letter river garden forest mountain city village station train ship "
    "summer winter rain wind light dark quiet voice smile answer question story friend mother "
    "father brother sister teacher doctor captain stranger king queen soldier child dog horse"
).split()
_NEWS = {
    "World": "minister government election talks border president united nations capital troops peace "
    "parliament embassy protest treaty leaders region crisis refugees ceasefire",
    "Sports": "team season coach game match win championship player league scored final cup victory "
    "injury striker tournament olympic record defeat fans",
    "Business": "shares profit company market stocks quarter investors bank prices sales oil deal "
    "economy rates growth billion merger earnings retailer dollar",
    "Sci/Tech": "software internet computer researchers space new technology users microsoft web "
    "scientists launch wireless data chip network study online security mobile",
}


def _sentence(rng: np.random.Generator, words: list[str], low: int, high: int) -> str:
    n = int(rng.integers(low, high))
    text = " ".join(words[int(i)] for i in rng.integers(0, len(words), n))
    return text[0].upper() + text[1:] + "."


def write_hf_corpora(root: Path, *, seed: int = 0) -> tuple[Path, Path]:
    """BookCorpus (one sentence per row, column ``text``) and AG News (``text``, ``label`` as a
    ClassLabel, train and test splits) in the Hub's parquet layout, read by
    ``datasets.load_dataset(<folder>)`` without the network."""
    import datasets
    from datasets import ClassLabel, Dataset, Features, Value

    datasets.disable_progress_bars()
    rng = np.random.default_rng([seed, 3])
    books = root / "bookcorpus"
    (books / "data").mkdir(parents=True, exist_ok=True)
    sentences = [_sentence(rng, list(_WORDS), 6, 24).lower() for _ in range(BOOKCORPUS_SENTENCES)]
    Dataset.from_dict({"text": sentences}, features=Features({"text": Value("string")})).to_parquet(
        books / "data" / "train-00000-of-00001.parquet"
    )
    news = root / "ag_news"
    (news / "data").mkdir(parents=True, exist_ok=True)
    features = Features({"text": Value("string"), "label": ClassLabel(names=list(AG_NEWS_CLASSES))})
    for split, per_class in (("train", AG_NEWS_TRAIN_PER_CLASS), ("test", AG_NEWS_TEST_PER_CLASS)):
        labels = _balanced_labels(rng, per_class, classes=len(AG_NEWS_CLASSES))
        texts = []
        for y in labels:
            topic = _NEWS[AG_NEWS_CLASSES[y]].split()
            texts.append(" ".join(_sentence(rng, topic + list(_WORDS[:30]), 8, 20) for _ in range(2)))
        Dataset.from_dict({"text": texts, "label": [int(y) for y in labels]}, features=features).to_parquet(
            news / "data" / f"{split}-00000-of-00001.parquet"
        )
    return books, news


SPEECH_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPEECH_SPEAKERS = 4  # 2 takes each: 8 clips per word


def write_speech_commands(root: Path, *, seed: int = 0) -> Path:
    """Speech Commands' layout for hw4's full mode: a folder per word of 16-bit mono 16 kHz WAV
    files named ``<speaker hash>_nohash_<take>.wav`` (the speaker is the part before ``_nohash_``).
    The sound is synthetic (tones with a per-speaker pitch and a per-word envelope); the format
    is the real one."""
    rng = np.random.default_rng(seed)
    folder = root / "speech_commands"
    shutil.rmtree(folder, ignore_errors=True)
    speakers = [f"{int(rng.integers(16**8)):08x}" for _ in range(SPEECH_SPEAKERS)]
    for w, word in enumerate(SPEECH_WORDS):
        (folder / word).mkdir(parents=True)
        for s, speaker in enumerate(speakers):
            for take in range(2):
                length = int(16_000 * (0.7 + 0.3 * ((w + s + take) % 3) / 2))  # 0.7, 0.85 or 1 s
                t = np.arange(length) / 16_000
                pitch = 110.0 * (1 + s / 4) * (1 + w / 20)
                audio = np.sin(2 * np.pi * pitch * t) * np.hanning(length) * 0.5
                audio += 0.01 * rng.standard_normal(length)
                pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
                with wave.open(str(folder / word / f"{speaker}_nohash_{take}.wav"), "wb") as clip:
                    clip.setnchannels(1)
                    clip.setsampwidth(2)
                    clip.setframerate(16_000)
                    clip.writeframes(pcm.tobytes())
    return folder


def generate(out: Path, *, seed: int = 0) -> dict[str, str]:
    """Write every miniature into ``out`` (replacing what the generator wrote there before)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in (
        "stl10_binary",
        "cifar-10-batches-py",
        "competition",
        "bookcorpus",
        "ag_news",
        "speech_commands",
    ):
        shutil.rmtree(out / name, ignore_errors=True)
    contents: dict[str, str] = {
        "version": str(VERSION),
        "seed": str(seed),
        "note": "synthetic miniature datasets in the real formats, for offline full-mode runs; not real data",
        "stl10": str(write_stl10(out, seed=seed).relative_to(out)),
        "cifar10": str(write_cifar10(out, seed=seed).relative_to(out)),
    }
    # The marker goes in before the competition build, which reads STL-10 through torchvision.
    (out / MARKER).write_text(json.dumps(contents, indent=2) + "\n")
    contents["competition"] = str(write_competition(out, seed=seed).relative_to(out))
    books, news = write_hf_corpora(out, seed=seed)
    contents["bookcorpus"], contents["ag_news"] = str(books.relative_to(out)), str(news.relative_to(out))
    contents["speech_commands"] = str(write_speech_commands(out, seed=seed).relative_to(out))
    (out / MARKER).write_text(json.dumps(contents, indent=2) + "\n")
    return contents


def _is_miniature_file(path: str | Path) -> bool:
    """A file under a folder marked by MINIATURE.json (<root>/<dataset folder>/<file>)."""
    file = Path(path)
    return file.is_file() and any((parent / MARKER).is_file() for parent in list(file.parents)[:3])


def _patched_checks() -> list[tuple[object, str, object]]:
    import torchvision.datasets.cifar as cifar
    import torchvision.datasets.stl10 as stl10

    patches: list[tuple[object, str, object]] = []
    for module in (stl10, cifar):
        original = module.check_integrity

        def check(fpath, md5=None, _original=original):  # type: ignore[no-untyped-def]
            return _original(fpath, md5) or _is_miniature_file(fpath)

        patches.append((module, "check_integrity", check))
    return patches


def accept_miniature_checksums() -> contextlib.AbstractContextManager[None]:
    """Let torchvision's STL10 and CIFAR10 accept miniature files despite their md5 sums.

    Call it (the patch stays for the process, as the first cell of a full-mode notebook copy does)
    or use it as a context manager (the patch ends with the block)."""
    saved = []
    for module, name, replacement in _patched_checks():
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, replacement)

    @contextlib.contextmanager
    def restore() -> Iterator[None]:
        try:
            yield
        finally:
            for module, name, original in saved:
                setattr(module, name, original)

    return restore()


FULL_MODE_PREAMBLE = """\
# Added by autograder.miniatures.full_mode_notebook (not part of the homework): torchvision checks
# the md5 of STL-10 and CIFAR-10 files, which synthetic miniatures cannot match; accept files in a
# folder marked MINIATURE.json, as torchvision's own tests patch check_integrity for fake data.
from autograder.miniatures import accept_miniature_checksums

accept_miniature_checksums();"""

_MODE_LINE = re.compile(r'^MODE = "smoke"', re.MULTILINE)


def full_mode_notebook(notebook):  # type: ignore[no-untyped-def]
    """A copy of ``notebook`` (an nbformat NotebookNode) in full mode, with the checksum preamble first."""
    import copy

    import nbformat

    notebook = copy.deepcopy(notebook)
    setup = [c for c in notebook.cells if "setup" in c.metadata.get("tags", [])]
    if not setup or not any(_MODE_LINE.search(c.source) for c in setup):
        raise ValueError('no set-up cell with MODE = "smoke" in this notebook')
    for cell in setup:
        cell.source = _MODE_LINE.sub('MODE = "full"', cell.source)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(FULL_MODE_PREAMBLE))
    return notebook


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.miniatures", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, help="write the miniature datasets into this folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--notebook", type=Path, help="a homework notebook to copy in full mode")
    parser.add_argument("--full-mode-copy", type=Path, help="where to write that copy")
    args = parser.parse_args(argv)
    if args.out is None and args.notebook is None:
        parser.error("give --out DIR, or --notebook SRC --full-mode-copy DST")
    if args.out is not None:
        contents = generate(args.out, seed=args.seed)
        size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
        folders = ", ".join(v for k, v in contents.items() if k not in ("version", "seed", "note"))
        print(f"miniature datasets in {args.out} ({size / 1e6:.1f} MB): {folders}")
    if args.notebook is not None:
        if args.full_mode_copy is None:
            parser.error("--notebook needs --full-mode-copy DST")
        import nbformat

        copy = full_mode_notebook(nbformat.read(args.notebook, as_version=4))
        args.full_mode_copy.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(copy, args.full_mode_copy)
        print(f"{args.full_mode_copy}: full-mode copy of {args.notebook}")


if __name__ == "__main__":
    main()
