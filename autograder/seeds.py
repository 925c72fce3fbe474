"""The seed policy of hidden tests: inputs are drawn per submission.

A test asks for ``seed(base)``; the seed it gets is ``base`` shifted by

- the submission's salt, taken from the notebook's SHA-256: answers learnt from one grading (a
  lookup table of expected outputs, rebuilt from feedback) do not transfer to the next
  submission, while a regrade of the same notebook draws exactly the same inputs;
- the sweep offset (``bench/seed_sweep.py`` sets AUTOGRADER_SEED to run every hidden test under
  many seeds; normal grading uses offset 0).

The salt is set by the grading plugin for the duration of one submission's tests (one pytest
session per process runs one submission at a time).
"""

from __future__ import annotations

import os

SEED_VARIABLE = "AUTOGRADER_SEED"
_SWEEP_STRIDE = 1_000_003
_SALT_RANGE = 1 << 40  # far below torch's seed range (2**64) whatever the base and the offset

_salt = 0


def salt_of(sha256: str) -> int:
    """The salt of a notebook with this content hash (0 for an unread notebook)."""
    try:
        return int(sha256[:16], 16) % _SALT_RANGE if sha256 else 0
    except ValueError:
        return 0


def use_salt(salt: int) -> None:
    global _salt
    _salt = salt


def seed(base: int, salt: int | None = None) -> int:
    """A test's seed (see the module doc); ``salt`` overrides the current submission's."""
    offset = _SWEEP_STRIDE * int(os.environ.get(SEED_VARIABLE, "0"))
    return base + offset + (_salt if salt is None else salt)
