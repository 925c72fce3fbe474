"""Public tests of bonus task `bart`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("bart")


def test_public_bart__rotation_is_a_rotation(student):
    """document_rotation returns a rotation of its input"""
    doc = torch.arange(10, 20)
    out = student.document_rotation(doc)
    start = int(out[0]) - 10
    assert torch.equal(torch.cat([doc[start:], doc[:start]]), out), "the result is not a rotation"
