"""``make lock``: regenerate requirements/*.lock from pyproject.toml.

Why uv (``uv pip compile``) rather than pip-tools (``pip-compile``):
- its output is an ordinary pip requirements file, so CI, ``make install`` and Gradescope's
  setup.sh install the lock with plain pip: uv is needed only here, by whoever changes a dependency;
- it resolves for a named target (``--python-version 3.11 --python-platform
  x86_64-manylinux_2_28``: CI's and Gradescope's Linux x86-64) whatever machine runs ``make lock``,
  where pip-compile resolves for the interpreter and platform it runs on;
- it takes seconds (both locks in about 10 s here), and a constraint file (``-c``) keeps the
  Gradescope lock's versions identical to CI's.
No hashes (``--generate-hashes``): setup.sh first installs torch from PyPI's CPU-only index, whose
wheels (``torch==2.14.1+cpu``) have other hashes than the lock's, and pip's hash mode is all or none.

The locks:
- ci.lock: the dependencies and the ``dev`` extra (tests, lint, mutation testing): ``make install``
  and CI;
- gradescope.lock: the dependencies alone, constrained to ci.lock's versions: setup.sh.
The ``kaggle``, ``hf`` and ``full`` extras are not locked (instructor and full-mode hw3 use only);
install one next to a lock with ``pip install -c requirements/ci.lock -e ".[kaggle]"``.

Each lock starts with the digest of pyproject.toml's dependency tables (``deps_digest``);
tests/test_dependencies.py fails, naming ``make lock``, when pyproject.toml changed since.

Usage: python requirements/lock.py [UV]   (UV: the uv executable; default ``uv``)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements"
TARGET = ["--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_28"]
DIGEST_PREFIX = "# pyproject-deps-sha256: "


def deps_digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """SHA-256 of what a lock depends on: requires-python, dependencies and the extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    tables = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def compile_lock(uv: str, out: Path, *args: str) -> None:
    subprocess.run(
        [uv, "pip", "compile", "--quiet", str(ROOT / "pyproject.toml"), *TARGET, *args,
         "--custom-compile-command", "make lock", "--output-file", str(out)],
        check=True, cwd=ROOT,
    )  # fmt: skip
    text = out.read_text(encoding="utf-8").replace(str(ROOT) + "/", "")
    out.write_text(f"{DIGEST_PREFIX}{deps_digest()}\n{text}", encoding="utf-8")


def main(argv: list[str]) -> None:
    uv = argv[0] if argv else "uv"
    ci = LOCKS / "ci.lock"
    compile_lock(uv, ci, "--extra", "dev")
    compile_lock(uv, LOCKS / "gradescope.lock", "--constraint", str(ci))
    print(f"wrote {ci.relative_to(ROOT)} and requirements/gradescope.lock")


if __name__ == "__main__":
    main(sys.argv[1:])
