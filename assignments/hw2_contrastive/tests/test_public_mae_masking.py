"""Public tests of task `mae_masking`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("mae_masking")


def test_public_mae_masking__shapes_and_counts(student):
    """75% of 16 tokens are removed per sample; the mask may be float or bool"""
    x_kept, mask, ids_restore = student.random_masking(torch.randn(2, 16, 3, generator=generator(1)), 0.75)
    assert x_kept.shape == (2, 4, 3), "x_kept is (N, L_keep, D)"
    assert mask.shape == (2, 16) and mask.float().sum().item() == 24, "mask has 12 ones (removed) per sample"
    assert ids_restore.shape == (2, 16), "ids_restore is (N, L)"
