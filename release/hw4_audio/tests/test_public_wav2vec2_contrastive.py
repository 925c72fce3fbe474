"""Public tests of task `wav2vec2_contrastive`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("wav2vec2_contrastive")


def test_public_wav2vec2_contrastive__m_1_masks_int_p_t_steps(student):
    """with M = 1 every sequence has exactly int(p T) masked steps (int(0.1 * 57) = 5)"""
    mask = student.span_mask(4, 57, p=0.1, M=1)
    assert isinstance(mask, torch.Tensor) and mask.shape == (4, 57), "span_mask returns (batch, T)"
    assert mask.sum(dim=1).tolist() == [5, 5, 5, 5], "int(p * T) distinct starts per sequence"


def test_public_wav2vec2_contrastive__two_masked_steps(student):
    """two masked steps: each is the other's only distractor"""
    context = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    quantized = torch.tensor([[[2.0, 0.0], [0.0, 3.0], [5.0, 5.0]]])
    mask = torch.tensor([[True, True, False]])
    loss = student.wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=4, temperature=1.0)
    want = -1 + math.log(math.e + 4)  # cos = 1 with the positive, 0 with the distractor
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss) - want) < 1e-5, "the loss of two masked steps with orthogonal distractors"


@pytest.mark.weight(0.5)
def test_public_wav2vec2_contrastive__mask_is_bool(student):
    """span_mask returns a bool tensor"""
    mask = student.span_mask(2, 30, p=0.1, M=1)
    assert mask.sum(dim=1).tolist() == [3, 3], "int(p * T) distinct starts per sequence"
    assert mask.dtype == torch.bool, "the mask must be bool"
