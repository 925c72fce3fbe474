"""Public tests of task `augment`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("augment")


def test_public_augment__two_views_of_the_right_size(student):
    """TwoViews(simclr_augmentation(16)) gives two different (3, 16, 16) views"""
    a, b = student.TwoViews(student.simclr_augmentation(16))(torch.rand(3, 30, 30, generator=generator(1)))
    assert a.shape == (3, 16, 16) and b.shape == (3, 16, 16), "views are (3, size, size)"
    assert not torch.equal(a, b), "the two views are independent random draws"
