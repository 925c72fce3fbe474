"""Public tests of task `nt_xent`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("nt_xent")


def test_public_nt_xent__identical_rows_give_log_2n_minus_1(student):
    """when all 2N rows are identical the loss is log(2N - 1)"""
    z = torch.ones(3, 4)
    loss = student.nt_xent_loss(z, z)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss) - math.log(5)) < 1e-5, "identical rows should give log(2N - 1)"


@pytest.mark.weight(0.5)
def test_public_nt_xent__returns_a_0d_tensor_of_the_inputs_dtype(student):
    """nt_xent_loss returns a 0-d tensor of the inputs' dtype (float64 inputs give a float64 loss)"""
    z = torch.ones(2, 3, dtype=torch.float64)
    loss = student.nt_xent_loss(z, z)
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0, "return a 0-d tensor"
    assert abs(float(loss) - math.log(3)) < 1e-5, "identical rows should give log(2N - 1)"
    assert loss.dtype == torch.float64, "return a loss of the inputs' dtype"
