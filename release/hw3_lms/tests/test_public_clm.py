"""Public tests of task `clm`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("clm")


def test_public_clm__uniform_logits_give_log_v(student):
    """uniform logits over V tokens give a loss of log(V), as a 0-d tensor"""
    loss = student.causal_lm_loss(torch.zeros(2, 5, 7), torch.randint(7, (2, 5)), torch.ones(2, 5))
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss) - math.log(7)) < 1e-5, "uniform logits should give log(V)"
