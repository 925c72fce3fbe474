"""Public tests of task `t5`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("t5")


def test_public_t5__sentinels_and_eos(student):
    """inputs and targets end with EOS; the first sentinel is vocab_size - 1"""
    inputs, targets = student.t5_span_corruption(torch.arange(10, 50), 1000, 1)
    assert int(inputs[-1]) == 1 and int(targets[-1]) == 1, "inputs and targets end with EOS"
    assert int(targets[0]) == 999, "targets start with sentinel 0, id vocab_size - 1"
