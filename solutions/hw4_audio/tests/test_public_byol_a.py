"""Public tests of the bonus task `byol_a`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("byol_a")


def test_public_byol_a__alpha_0_and_identical_memory_change_nothing(student):
    """alpha = 0, or a memory of copies of x, leaves x unchanged; crops keep the shape"""
    x = torch.randn(8, 20)
    assert torch.allclose(student.log_mixup_exp(x, torch.randn(3, 8, 20), alpha=0.0), x, atol=1e-5), (
        "alpha = 0 changes nothing"
    )
    assert torch.allclose(student.log_mixup_exp(x, x.repeat(3, 1, 1), alpha=0.9), x, atol=1e-5), (
        "mixing x with itself changes nothing"
    )
    assert student.random_resize_crop(x).shape == (8, 20), "random_resize_crop keeps the (F, T) shape"


@pytest.mark.weight(0.5)
def test_public_byol_a__normalize_keeps_float64(student):
    """normalize_spec of a float64 spectrogram is float64"""
    x = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    out = student.normalize_spec(x, 2.0, 4.0)
    assert torch.allclose(out, (x - 2) / 4), "(x - mean) / std"
    assert out.dtype == torch.float64, "keep the input's dtype"
