"""Public tests of task `relative_patch`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("relative_patch")

TABLE = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@pytest.mark.weight(2)
def test_public_relative_patch__offset_follows_the_label_table(student):
    """without jitter the neighbour's corner is (patch_size + gap) * (dy, dx) of its label away"""
    rows, cols = torch.meshgrid(torch.arange(30.0), torch.arange(30.0), indexing="ij")
    image = torch.stack([rows, cols])
    for _ in range(16):
        center, neighbor, label = student.sample_patch_pair(image, 6, 2, 0)
        dy, dx = (neighbor[:, 0, 0] - center[:, 0, 0]).tolist()
        assert (dy, dx) == (8 * TABLE[int(label)][0], 8 * TABLE[int(label)][1]), (
            f"label {int(label)} puts the neighbour at offset {(dy, dx)}"
        )
