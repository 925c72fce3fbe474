"""Hidden tests of task `rotation` (Gidaris et al., 2018): every image once with each of the four
counter-clockwise quarter turns, whatever the output order (a fixed order or a random shuffle)."""

import pytest
import torch

from autograder.testing import assert_dtype, expect_error, generator

pytestmark = pytest.mark.task("rotation")


def images(seed: int, b: int, c: int, h: int, dtype=torch.float64) -> torch.Tensor:
    return torch.randn(b, c, h, h, generator=generator(seed), dtype=dtype)


def outputs(result, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The pair (rotated, labels) of a call on ``x``, after checking its shapes."""
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise AssertionError("rotate_batch should return a pair (rotated, labels)")
    rotated, labels = result
    b, c, h, _ = x.shape
    if not isinstance(rotated, torch.Tensor) or tuple(rotated.shape) != (4 * b, c, h, h):
        raise AssertionError(
            f"for images of shape {tuple(x.shape)} rotated should have shape "
            f"{(4 * b, c, h, h)}, got {getattr(rotated, 'shape', type(rotated).__name__)}"
        )
    if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != (4 * b,):
        raise AssertionError(f"labels should be a tensor of shape {(4 * b,)}")
    return rotated, labels


def assert_every_image_once_with_each_label(result, x: torch.Tensor) -> None:
    """The value check: output j, turned back by its label, is one of the inputs, and every input
    appears exactly once with each of the 4 labels (in any order). Compared as float64."""
    rotated, labels = outputs(result, x)
    b = x.shape[0]
    if labels.is_floating_point() and not torch.equal(labels, labels.round()):
        raise AssertionError("labels must be whole numbers in {0, 1, 2, 3}")
    seen = torch.zeros(b, 4, dtype=torch.int64)
    for j in range(4 * b):
        k = int(labels[j])
        assert 0 <= k <= 3, "labels must lie in {0, 1, 2, 3}"
        undone = torch.rot90(rotated[j].double(), -k, dims=(-2, -1))  # (C, H, W)
        matches = [i for i in range(b) if torch.equal(undone, x[i].double())]
        assert matches, (
            f"output {j} has label {k} but is not any input turned by {k} quarter turns "
            "counter-clockwise (torch.rot90(x, k, dims=(-2, -1)))"
        )
        seen[matches[0], k] += 1
    assert (seen == 1).all(), "every input image must appear exactly once with each of the 4 labels"


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,c,h", [(1, 1, 2), (3, 3, 5), (5, 2, 8)])
def test_rotation__every_image_appears_once_with_each_label(student, b, c, h):
    x = images(10 + h, b, c, h)
    assert_every_image_once_with_each_label(student.rotate_batch(x), x)


@pytest.mark.weight(2)
def test_rotation__label_1_is_a_counter_clockwise_quarter_turn(student):
    x = torch.arange(9, dtype=torch.float64).reshape(1, 1, 3, 3)  # pixel value = 3 * row + col
    rotated, labels = outputs(student.rotate_batch(x), x)
    ones = [j for j in range(4) if float(labels[j]) == 1]
    assert len(ones) == 1, "a single image should appear exactly once with label 1"
    assert rotated[ones[0], 0, 0, 0] == 2, (
        "label 1 must turn the image counter-clockwise: the top-right pixel moves to the top-left corner"
    )


@pytest.mark.weight(0.5)
def test_rotation__keeps_the_images_dtype_and_returns_int64_labels(student):
    for dtype in (torch.float32, torch.float64):
        x = images(1, 3, 2, 4, dtype)
        result = student.rotate_batch(x)
        assert_every_image_once_with_each_label(result, x)
        rotated, labels = result
        assert_dtype(rotated, dtype, f"rotated images of {dtype} images (same dtype as the input)")
        assert_dtype(labels, torch.int64, "labels")


@pytest.mark.weight(0.5)
def test_rotation__non_square_images_raise_value_error(student):
    square = images(2, 2, 1, 4)
    for shape in ((2, 1, 4, 5), (1, 3, 6, 3)):
        x = torch.randn(*shape, generator=generator(3))
        expect_error(
            lambda: student.rotate_batch(x),  # noqa: B023 (called at once)
            "ValueError",
            f"images of shape {shape} (H != W)",
            valid=lambda: assert_every_image_once_with_each_label(student.rotate_batch(square), square),
        )
