"""Public tests of bonus task `electra`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("electra")


def test_public_electra__zero_logits_give_log_2(student):
    """zero logits give a loss of log 2"""
    ids = torch.tensor([[5, 6, 7]])
    loss = student.electra_discriminator_loss(torch.zeros(1, 3), ids, ids, torch.ones(1, 3))
    assert abs(float(loss) - math.log(2)) < 1e-6, "zero logits give log 2"
