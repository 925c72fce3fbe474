"""Public tests of task `mass`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("mass")


def test_public_mass__masks_one_span_of_half_the_block(student):
    """with 10 content tokens and span_ratio=0.5, five labels are set"""
    ids = torch.arange(100, 112)
    special = torch.zeros(12, dtype=torch.bool)
    special[0] = special[-1] = True
    out = student.mass_mask(ids, special, 4)
    assert set(out) >= {"encoder_input_ids", "labels", "decoder_input_ids"}, "return the three tensors"
    assert int((out["labels"] != -100).sum()) == 5, "the span has max(1, round(0.5 * m)) tokens"
