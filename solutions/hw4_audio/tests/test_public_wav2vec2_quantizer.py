"""Public tests of task `wav2vec2_quantizer`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("wav2vec2_quantizer")


def test_public_wav2vec2_quantizer__eval_picks_the_largest_logit_of_each_group(student):
    """training=False: group g's code is the argmax of columns gV ... (g+1)V - 1"""
    logits = torch.tensor([[[0.0, 3.0, 1.0, 5.0, 0.0, 2.0]]])  # G = 2, V = 3
    books = torch.arange(2 * 3 * 2, dtype=torch.float32).reshape(2, 3, 2)
    quantized, codes = student.gumbel_quantize(logits, books, training=False)
    assert codes.tolist() == [[[1, 0]]], "the codes are the argmax of each group's logits"
    assert torch.equal(quantized, torch.tensor([[[2.0, 3.0, 6.0, 7.0]]])), (
        "quantized concatenates the chosen rows"
    )


def test_public_wav2vec2_quantizer__uniform_use_gives_diversity_0(student):
    """equal logits use every entry equally: the diversity loss is 0"""
    loss = student.diversity_loss(torch.zeros(2, 3, 8), 2, 4)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss)) < 1e-6, "uniform use of every entry gives 0"


@pytest.mark.weight(0.5)
def test_public_wav2vec2_quantizer__codes_are_int64(student):
    """codes are int64"""
    logits = torch.tensor([[[0.0, 3.0, 1.0, 5.0, 0.0, 2.0]]])
    _, codes = student.gumbel_quantize(logits, torch.zeros(2, 3, 2), training=False)
    assert codes.tolist() == [[[1, 0]]], "the codes are the argmax of each group's logits"
    assert codes.dtype == torch.int64, "codes must be int64"
