"""Public tests of task `jigsaw_permutations`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("jigsaw_permutations")


@pytest.mark.weight(2)
def test_public_jigsaw_permutations__few_rows_differ_in_every_position(student):
    """with n_permutations <= n_tiles every pair of greedy rows differs in every position"""
    rows = student.jigsaw_permutations(4, 4)
    assert tuple(rows.shape) == (4, 4), "return (n_permutations, n_tiles)"
    distances = (rows[:, None, :] != rows[None, :, :]).sum(-1)
    assert (distances + 4 * torch.eye(4, dtype=torch.int64) == 4).all(), (
        "every pair of rows should differ in every position"
    )
