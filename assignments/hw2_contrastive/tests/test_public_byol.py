"""Public tests of task `byol`: what `autograder check` runs on your notebook."""

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("byol")


def test_public_byol__loss_ignores_the_length_of_the_vectors(student):
    """byol_loss compares directions: p against 3p gives 0, p against -p gives 4"""
    p = torch.randn(5, 6, generator=generator(1))
    assert abs(float(student.byol_loss(p, 3 * p))) < 1e-5, "p and 3p point the same way: the loss is 0"
    assert abs(float(student.byol_loss(p, -p)) - 4) < 1e-4, "p and -p point opposite ways: the loss is 4"


def test_public_byol__tau_schedule_goes_from_tau_base_to_1(student):
    """byol_tau is tau_base at step 0 and 1 at the last step"""
    assert abs(float(student.byol_tau(0, 50, tau_base=0.99)) - 0.99) < 1e-12, "byol_tau(0, ...) is tau_base"
    assert abs(float(student.byol_tau(50, 50, tau_base=0.99)) - 1.0) < 1e-12, "byol_tau(total, total) is 1"
