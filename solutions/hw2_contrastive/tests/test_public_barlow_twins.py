"""Public tests of bonus task `barlow_twins`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("barlow_twins")


def test_public_barlow_twins__identical_views_have_almost_no_loss(student):
    """identical views: C is the correlation matrix, its diagonal is about 1"""
    z = torch.randn(256, 4, generator=generator(9))
    loss = float(student.barlow_twins_loss(z, z))
    assert 0 <= loss < 0.01, "identical views should give a small loss (diagonal of C about 1)"
