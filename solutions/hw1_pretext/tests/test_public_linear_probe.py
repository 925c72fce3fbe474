"""Public tests of task `linear_probe`: what `autograder check` runs on your notebook."""

import pytest
import torch
import torch.nn as nn

pytestmark = pytest.mark.task("linear_probe")


@pytest.mark.weight(2)
def test_public_linear_probe__features_of_every_batch_and_mode_restored(student):
    """extract_features returns the eval-mode features (N, D) and labels (N,) of every batch and
    leaves the encoder in train mode"""
    g = torch.Generator().manual_seed(0)
    reference = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU())
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=g))
    encoder = student.new(
        "torch.nn:Sequential",
        student.new("torch.nn:Linear", 5, 8),
        student.new("torch.nn:BatchNorm1d", 8),
        student.new("torch.nn:ReLU"),
    )
    encoder.load_state_dict(dict(reference.state_dict()))
    loader = [(torch.randn(6, 5, generator=g), torch.randint(3, (6,), generator=g)) for _ in range(3)]
    with torch.no_grad():
        expected = reference.eval()(torch.cat([x for x, _ in loader]))
    features, labels = student.extract_features(encoder, loader)
    assert tuple(features.shape) == (18, 8) and tuple(labels.shape) == (18,), "features (N, D), labels (N,)"
    assert torch.allclose(features.double(), expected.double(), rtol=1e-5, atol=1e-6), (
        "features should be the encoder's outputs in eval mode"
    )
    assert torch.equal(labels.long(), torch.cat([y for _, y in loader])), "labels of every batch, in order"
    assert encoder.training, "the encoder should be back in train mode"
