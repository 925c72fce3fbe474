"""Public tests of task `moco`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("moco")


def test_public_moco__enqueue_wraps_around(student):
    """enqueue writes at ptr and wraps around modulo size"""
    queue = student.MoCoQueue(2, 3)
    keys = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    queue.enqueue(keys)
    queue.enqueue(keys)  # rows 2 and 0
    assert int(queue.ptr) == 1, "after 4 keys in a queue of 3 rows, ptr is 1"
    assert torch.equal(queue.queue[0], keys[1]) and torch.equal(queue.queue[2], keys[0]), (
        "the second batch goes to rows 2, 0"
    )


def test_public_moco__loss_with_orthogonal_negatives(student):
    """with q = k and negatives orthogonal to q the loss is log(1 + K exp(-1/t))"""
    q = torch.tensor([[1.0, 0.0, 0.0]])
    queue = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    loss = student.moco_loss(q, q, queue, temperature=0.5)
    assert abs(float(loss) - float(torch.log(1 + 2 * torch.exp(torch.tensor(-2.0))))) < 1e-5
