"""Public tests of task `rotation`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("rotation")


def test_public_rotation__returns_four_rotations_with_int64_labels(student):
    """rotate_batch returns (4B, C, H, W) images and (4B,) int64 labels, each label B times"""
    rotated, labels = student.rotate_batch(torch.randn(2, 3, 4, 4))
    assert tuple(rotated.shape) == (8, 3, 4, 4), "rotated should have shape (4B, C, H, W)"
    assert labels.dtype == torch.int64, "labels should be int64"
    assert sorted(labels.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3], "each image appears once with each label"
