"""Find the notebooks in what was handed in: one .ipynb, a folder, a zip, or nbgrader's
``submitted/<student>/<hw>/`` tree. Each gets an id (student id or notebook stem) for its result."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import KitError

MAX_ZIP_BYTES = 2 << 30


@dataclass(frozen=True)
class Entry:
    id: str
    path: Path
    only_tasks: frozenset[str] | None = None  # the audit grades one task per case
    refused: str = ""  # why it is not graded (a link, or a file outside the submission root)


class SubmissionsError(KitError):
    pass


def find_submissions(path: Path, hw: str, unpack_dir: Path) -> list[Entry]:
    entries = _find(path, hw, unpack_dir)
    root = path.parent if path.is_file() or path.is_symlink() else path
    return [_refuse_links(entry, root) for entry in entries]


def _refuse_links(entry: Entry, root: Path) -> Entry:
    """Only regular files inside the submission root are graded: a notebook that is a link (in an
    nbgrader tree or a cloned repository) may point at the course's own solution."""
    real_root = root.resolve()
    inside = entry.path.resolve().is_relative_to(real_root)
    links = [p for p in (entry.path, *entry.path.parents) if p.is_symlink() and p.is_relative_to(root)]
    if links or not inside or not entry.path.is_file():
        what = "is a symbolic link" if links else "is not a regular file inside the submission folder"
        reason = f"{entry.path.name} {what}; submit the notebook file itself"
        return Entry(entry.id, entry.path, entry.only_tasks, refused=reason)
    return entry


def _find(path: Path, hw: str, unpack_dir: Path) -> list[Entry]:
    if not path.exists() and not path.is_symlink():
        raise SubmissionsError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix == ".zip":
        path = _unzip(path, unpack_dir)
    if path.is_file() or path.is_symlink():
        return [Entry(path.stem, path)]
    nbgrader_tree = sorted(path.glob(f"*/{hw}/*.ipynb"))
    if is_nbgrader_tree(path, hw):
        return [Entry(p.parent.parent.name, p) for p in nbgrader_tree if p.stem == hw] or [
            Entry(p.parent.parent.name, p) for p in nbgrader_tree
        ]
    notebooks = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    entries: list[Entry] = []
    seen: set[str] = set()
    for nb in notebooks:
        ident = nb.stem if nb.stem not in seen else f"{nb.parent.name}-{nb.stem}"
        seen.add(ident)
        entries.append(Entry(ident, nb))
    if not entries:
        raise SubmissionsError(f"{path}: no .ipynb files found")
    return entries


def is_nbgrader_tree(path: Path, hw: str) -> bool:
    """nbgrader's ``submitted/<student>/<hw>/<hw>.ipynb`` layout."""
    return path.is_dir() and any(path.glob(f"*/{hw}/*.ipynb"))


def _unzip(archive: Path, target: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_ZIP_BYTES:
                raise SubmissionsError(f"{archive.name}: unpacks to {total >> 20} MiB, over the limit")
            root = target.resolve()
            for info in zf.infolist():
                dest = (root / info.filename).resolve()
                if not dest.is_relative_to(root):  # "../" entries stay inside the target
                    raise SubmissionsError(
                        f"{archive.name}: entry {info.filename!r} points outside the archive"
                    )
            zf.extractall(root)
    except zipfile.BadZipFile:
        raise SubmissionsError(f"{archive.name}: not a valid zip file") from None
    return target


def shard(entries: list[Entry], spec: str) -> list[Entry]:
    """``K/N``: the K-th of N interleaved shards (0-based), for grading across a job matrix."""
    try:
        index, count = (int(part) for part in spec.split("/"))
    except ValueError:
        raise SubmissionsError(f"--shard {spec!r}: expected K/N, e.g. 0/4") from None
    if not 0 <= index < count:
        raise SubmissionsError(f"--shard {spec!r}: K must be between 0 and N-1")
    return entries[index::count]
