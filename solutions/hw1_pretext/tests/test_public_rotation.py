"""Public tests of task `rotation`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("rotation")


@pytest.mark.weight(2)
def test_public_rotation__returns_four_rotations_each_label_once_per_image(student):
    """rotate_batch returns (4B, C, H, W) images and (4B,) labels, each label B times"""
    rotated, labels = student.rotate_batch(torch.randn(2, 3, 4, 4))
    assert tuple(rotated.shape) == (8, 3, 4, 4), "rotated should have shape (4B, C, H, W)"
    assert sorted(int(k) for k in labels.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3], (
        "each image appears once with each label"
    )
