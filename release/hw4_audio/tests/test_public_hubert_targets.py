"""Public tests of task `hubert_targets`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("hubert_targets")


def test_public_hubert_targets__assign_and_update(student):
    """nearest centroids, then cluster means; the empty cluster keeps its centroid"""
    features = torch.tensor([[0.0, 0.0], [0.0, 2.0], [10.0, 10.0]])
    centroids = torch.tensor([[0.0, 1.0], [9.0, 9.0], [-50.0, -50.0]])
    a = student.kmeans_assign(features, centroids)
    assert a.tolist() == [0, 0, 1], "each feature goes to its nearest centroid"
    new = student.kmeans_update(features, a, centroids)
    assert torch.allclose(new, torch.tensor([[0.0, 1.0], [10.0, 10.0], [-50.0, -50.0]])), (
        "each centroid becomes the mean of its features; an empty one keeps its value"
    )


def test_public_hubert_targets__loss_only_on_masked_frames(student):
    """uniform logits on the masked frames: the loss is log K whatever the unmasked frames hold"""
    logits = torch.zeros(1, 3, 4)
    logits[0, 1] = torch.tensor([100.0, 0.0, 0.0, 0.0])  # unmasked, badly wrong
    loss = student.hubert_loss(logits, torch.tensor([[0, 3, 2]]), torch.tensor([[True, False, True]]))
    assert abs(float(loss) - math.log(4)) < 1e-5, "average the cross-entropy over masked frames only"


@pytest.mark.weight(0.5)
def test_public_hubert_targets__assignments_are_int64(student):
    """kmeans_assign returns int64"""
    a = student.kmeans_assign(torch.tensor([[0.0], [5.0]]), torch.tensor([[1.0], [4.0]]))
    assert a.tolist() == [0, 1], "each feature goes to its nearest centroid"
    assert a.dtype == torch.int64, "assignments must be int64"
