"""Hidden tests of task `ood` (STL-10 predictions as CIFAR-10 labels).

The text promises any shape and any integer dtype of ids in, int64 ids out; ids outside 0..9 are
not part of the task and are never sent.
"""

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("ood")

STL10 = ("airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck")
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SAME_CLASS = {"car": "automobile", "monkey": "frog"}
TABLE = torch.tensor([CIFAR10.index(SAME_CLASS.get(n, n)) for n in STL10])


def ids(base: int, shape: tuple[int, ...], dtype: torch.dtype = torch.int64) -> torch.Tensor:
    return torch.randint(0, 10, shape, generator=generator(base)).to(dtype)


def mapped(predictions: torch.Tensor, what: str):
    """A check of ``stl_to_cifar(predictions)``'s values (whatever their dtype)."""

    def check(got) -> None:
        assert_close(got, TABLE[predictions.long()], what, rtol=0, atol=0)

    return check


@pytest.mark.weight(3)
def test_ood__every_stl10_class_maps_to_its_cifar10_class(student):
    got = student.stl_to_cifar(torch.arange(10))
    assert isinstance(got, torch.Tensor) and got.shape == (10,), "stl_to_cifar should return a tensor of ids"
    for stl_id, name in enumerate(STL10):
        want = CIFAR10.index(SAME_CLASS.get(name, name))
        assert float(got[stl_id]) == want, f"STL-10 '{name}' is not mapped to CIFAR-10 '{CIFAR10[want]}'"


@pytest.mark.weight(2)
@pytest.mark.parametrize("shape", [(4, 25), (2, 3, 4), ()], ids=str)
def test_ood__maps_ids_of_any_shape(student, shape):
    predictions = ids(len(shape), shape)
    mapped(predictions, f"stl_to_cifar of ids of shape {shape}")(student.stl_to_cifar(predictions))


@pytest.mark.parametrize("dtype", [torch.int32, torch.uint8], ids=str)
def test_ood__maps_ids_of_any_integer_dtype(student, dtype):
    predictions = ids(5, (30,), dtype)
    mapped(predictions, f"stl_to_cifar of {dtype} ids")(student.stl_to_cifar(predictions))


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8], ids=str)
def test_ood__returns_int64_ids(student, dtype):
    predictions = ids(6, (12,), dtype)
    got = student.stl_to_cifar(predictions)
    mapped(predictions, f"stl_to_cifar of {dtype} ids")(got)
    assert_dtype(got, torch.int64, f"CIFAR-10 ids for {dtype} STL-10 ids")


@pytest.mark.weight(0.5)
def test_ood__does_not_modify_inputs(student):
    predictions = ids(2, (50,))
    assert_inputs_unchanged(
        student, "stl_to_cifar", predictions, result_check=mapped(predictions, "stl_to_cifar of 50 ids")
    )
