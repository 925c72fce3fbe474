"""Public tests of task `simsiam`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("simsiam")


def test_public_simsiam__perfect_cross_predictions_give_minus_1(student):
    """p1 predicts z2 and p2 predicts z1: perfect predictions give -1"""
    p1, p2 = torch.randn(4, 5, generator=generator(1)), torch.randn(4, 5, generator=generator(2))
    loss = student.simsiam_loss(p1, p2, 2 * p2, 0.5 * p1)
    assert abs(float(loss) + 1) < 1e-5, "compare p1 with z2 and p2 with z1"
