"""Public tests of task `mlm`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("mlm")


def test_public_mlm__shapes_and_special_tokens(student):
    """mask_tokens returns two (B, T) tensors and never selects a special token"""
    ids = torch.randint(5, 100, (4, 64))
    special = torch.zeros(4, 64, dtype=torch.bool)
    special[:, 0] = True
    inputs, labels = student.mask_tokens(ids, special, 4, 100)
    assert inputs.shape == labels.shape == (4, 64), "return (inputs, labels) of shape (B, T)"
    assert (labels[:, 0] == -100).all(), "special tokens are never selected"
