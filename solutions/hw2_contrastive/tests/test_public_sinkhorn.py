"""Public tests of task `sinkhorn`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("sinkhorn")


def test_public_sinkhorn__rows_sum_to_1(student):
    """each sample's code sums to 1"""
    scores = (
        torch.nn.functional.normalize(torch.randn(10, 8, generator=generator(1)), dim=1)
        @ torch.nn.functional.normalize(torch.randn(4, 8, generator=generator(2)), dim=1).T
    )
    codes = student.sinkhorn(scores)
    assert codes.shape == (10, 4), "codes have the shape of the scores"
    assert torch.allclose(codes.sum(dim=1), torch.ones(10), atol=1e-4), "every row of the codes sums to 1"
