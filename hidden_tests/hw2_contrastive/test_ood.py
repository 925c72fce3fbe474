"""Hidden tests of task `ood` (STL-10 predictions as CIFAR-10 labels)."""

import pytest
import torch

from autograder.testing import assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("ood")

STL10 = ("airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck")
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SAME_CLASS = {"car": "automobile", "monkey": "frog"}


@pytest.mark.weight(3)
def test_ood__every_stl10_class_maps_to_its_cifar10_class(student):
    got = student.stl_to_cifar(torch.arange(10))
    assert isinstance(got, torch.Tensor) and got.shape == (10,), "stl_to_cifar should return a tensor of ids"
    for stl_id, name in enumerate(STL10):
        want = CIFAR10.index(SAME_CLASS.get(name, name))
        assert int(got[stl_id]) == want, (
            f"STL-10 '{name}' should become CIFAR-10 '{CIFAR10[want]}', not '{CIFAR10[int(got[stl_id])]}'"
        )


def test_ood__keeps_the_shape_and_returns_int64(student):
    predictions = torch.randint(0, 10, (4, 25), generator=generator(1))
    got = student.stl_to_cifar(predictions)
    assert isinstance(got, torch.Tensor) and got.shape == (4, 25), "the output has the shape of the input"
    assert got.dtype == torch.int64, f"class ids should be int64, not {got.dtype}"
    table = torch.tensor([CIFAR10.index(SAME_CLASS.get(n, n)) for n in STL10])
    assert torch.equal(got, table[predictions]), "a batch of predictions is mapped wrongly"


def test_ood__does_not_modify_inputs(student):
    assert_inputs_unchanged(student, "stl_to_cifar", torch.randint(0, 10, (50,), generator=generator(2)))
