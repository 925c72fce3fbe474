"""Public tests of task `cpc`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("cpc")


def test_public_cpc__equal_scores_give_log_of_the_candidates(student):
    """z = 0 makes every score equal: L_k = log(B (T - k)), the loss their mean"""
    z, c, w = torch.zeros(2, 5, 3), torch.randn(2, 5, 4), torch.randn(2, 3, 4)
    loss = student.cpc_loss(z, c, w)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    want = (math.log(2 * 4) + math.log(2 * 3)) / 2
    assert abs(float(loss) - want) < 1e-5, (
        "with equal scores L_k is log of the number of candidates B (T - k)"
    )


@pytest.mark.weight(0.5)
def test_public_cpc__keeps_float64(student):
    """float64 inputs give a float64 loss"""
    z, c, w = (
        torch.zeros(1, 4, 2, dtype=torch.float64),
        torch.ones(1, 4, 2, dtype=torch.float64),
        torch.ones(1, 2, 2, dtype=torch.float64),
    )
    loss = student.cpc_loss(z, c, w)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss) - math.log(3)) < 1e-9, "with equal scores L_1 is log(B (T - 1))"
    assert loss.dtype == torch.float64, "return the inputs' dtype"
