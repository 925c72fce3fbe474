"""Public tests of bonus task `dino`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

from autograder.testing import generator

pytestmark = pytest.mark.task("dino")


def test_public_dino__uniform_student_costs_log_k(student):
    """a student with equal logits has cross-entropy log K against any target"""
    teacher = torch.randn(2, 2, 5, generator=generator(1))
    loss = student.dino_loss(torch.zeros(3, 2, 5), teacher, torch.zeros(5))
    assert abs(float(loss) - math.log(5)) < 1e-5
