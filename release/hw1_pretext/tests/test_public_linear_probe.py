"""Public tests of task `linear_probe`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("linear_probe")


def test_public_linear_probe__features_of_every_batch_and_mode_restored(student):
    """extract_features returns (N, D) features and (N,) labels and leaves the encoder in train mode"""
    encoder = student.new(
        "torch.nn:Sequential",
        student.new("torch.nn:Linear", 5, 8),
        student.new("torch.nn:BatchNorm1d", 8),
        student.new("torch.nn:ReLU"),
    )
    g = torch.Generator().manual_seed(0)
    loader = [(torch.randn(6, 5, generator=g), torch.randint(3, (6,), generator=g)) for _ in range(3)]
    features, labels = student.extract_features(encoder, loader)
    assert tuple(features.shape) == (18, 8) and tuple(labels.shape) == (18,), "features (N, D), labels (N,)"
    assert encoder.training, "the encoder should be back in train mode"
