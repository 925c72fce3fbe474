"""Public tests of task `linear_probe`: what `autograder check` runs on your notebook."""

import pytest

pytestmark = pytest.mark.task("linear_probe")

_ENCODER = """
import torch
import torch.nn as nn

def build():
    encoder = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU())
    loader = [(torch.randn(6, 5), torch.randint(3, (6,))) for _ in range(3)]
    return encoder, loader

def is_training(encoder):
    return encoder.training
"""


def test_public_linear_probe__features_of_every_batch_and_mode_restored(student):
    """extract_features returns (N, D) features and (N,) labels and leaves the encoder in train mode"""
    helper = student.define(_ENCODER)
    encoder, loader = helper.build()
    features, labels = student.extract_features(encoder, loader)
    assert tuple(features.shape) == (18, 8) and tuple(labels.shape) == (18,), "features (N, D), labels (N,)"
    assert helper.is_training(encoder), "the encoder should be back in train mode"
