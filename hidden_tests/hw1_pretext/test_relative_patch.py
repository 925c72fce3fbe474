"""Hidden tests of task `relative_patch` (Doersch et al., 2015): offsets and the label table traced
with a coordinate image, both patches inside the image, uniform labels and independent jitter of
each patch over many draws."""

import pytest
import torch

from autograder.testing import (
    call_many,
    expect_error,
    rate_tolerance,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("relative_patch")

# (dy, dx) of each label: 0 top-left, 1 top, 2 top-right, 3 left, 4 right, 5 bottom-left, ...
TABLE = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
NAMES = ["top-left", "top", "top-right", "left", "right", "bottom-left", "bottom", "bottom-right"]


def coordinates(h: int, w: int, dtype=torch.float64) -> torch.Tensor:
    """(2, H, W): channel 0 holds each pixel's row, channel 1 its column."""
    rows, cols = torch.meshgrid(torch.arange(h, dtype=dtype), torch.arange(w, dtype=dtype), indexing="ij")
    return torch.stack([rows, cols])


def label_of(value) -> int:
    """The label as an int, from an int (or an integral float or one-element tensor)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) not in (int, bool):
        raise AssertionError("sample_patch_pair should return an int label")
    if not 0 <= value <= 7:
        raise AssertionError(f"label {value} is outside 0..7")
    return int(value)


def corners(patches: list, what: str, h: int, w: int, patch_size: int) -> torch.Tensor:
    """(times, 2) top-left corner (row, col) of each patch cut from a coordinate image, after checking
    that every patch is an intact crop of it lying fully inside it."""
    want = (2, patch_size, patch_size)
    for patch in patches:
        if not isinstance(patch, torch.Tensor) or tuple(patch.shape) != want:
            shape = tuple(patch.shape) if isinstance(patch, torch.Tensor) else type(patch).__name__
            raise AssertionError(
                f"{what} should be a (C, patch_size, patch_size) = {want} crop of the image, got {shape} "
                "(is it partly outside the image?)"
            )
    stacked = torch.stack([p.detach().double() for p in patches])  # (times, 2, p, p)
    top, left = stacked[:, 0, 0, 0], stacked[:, 1, 0, 0]  # (times,)
    span = torch.arange(patch_size, dtype=torch.float64)
    intact = (stacked[:, 0] == (top[:, None] + span)[:, :, None]).flatten(1).all(1) & (
        stacked[:, 1] == (left[:, None] + span)[:, None, :]
    ).flatten(1).all(1)
    inside = (top + patch_size <= h) & (left + patch_size <= w)
    if not bool((intact & inside).all()):
        raise AssertionError(f"{what} is not a crop of the image lying fully inside it")
    return torch.stack([top, left], dim=1).long()


def draws(student, times: int, h: int, w: int, patch_size: int, gap: int, jitter: int, base: int):
    """(label, dy, dx) of `times` pairs, where (dy, dx) is the neighbour's corner minus the centre's,
    after checking that every patch is an intact crop lying inside the image. The pairs are drawn
    in the worker in one round trip and every check is made here."""
    generator = student_generator(student, base)
    results = call_many(
        student, "sample_patch_pair", times, coordinates(h, w), patch_size, gap, jitter, generator=generator
    )
    for result in results:
        if not (isinstance(result, tuple | list) and len(result) == 3):
            raise AssertionError("sample_patch_pair should return (center, neighbor, label)")
    labels = torch.tensor([label_of(label) for _, _, label in results], dtype=torch.int64)  # (times,)
    center = corners([c for c, _, _ in results], "center", h, w, patch_size)  # (times, 2)
    neighbor = corners([n for _, n, _ in results], "neighbor", h, w, patch_size)  # (times, 2)
    return torch.cat([labels[:, None], neighbor - center], dim=1)  # (times, 3)


def test_relative_patch__returns_two_crops_of_the_inputs_dtype_and_an_int_label(student):
    for dtype in (torch.float32, torch.float64):
        center, neighbor, label = student.sample_patch_pair(coordinates(20, 20, dtype), 4, 1, 1)
        for name, patch in (("center", center), ("neighbor", neighbor)):
            assert isinstance(patch, torch.Tensor) and tuple(patch.shape) == (2, 4, 4), (
                f"{name} should be a (C, patch_size, patch_size) tensor"
            )
            assert patch.dtype == dtype, f"{name} should keep the image's dtype {dtype}, not {patch.dtype}"
        assert isinstance(label, int) or (
            isinstance(label, torch.Tensor) and label.dim() == 0 and not label.is_floating_point()
        ), "label should be an int"
        assert 0 <= int(label) <= 7, "label must lie in 0..7"


@pytest.mark.weight(2)
@pytest.mark.parametrize("h,w,patch_size,gap", [(20, 20, 5, 2), (30, 17, 4, 1), (16, 40, 3, 3)])
def test_relative_patch__neighbour_offset_follows_the_label_table(student, h, w, patch_size, gap):
    step = patch_size + gap
    for label, dy, dx in draws(student, 120, h, w, patch_size, gap, 0, base=h + w).tolist():
        want = (TABLE[label][0] * step, TABLE[label][1] * step)
        assert (dy, dx) == want, (
            f"label {label} ({NAMES[label]}) with patch_size={patch_size}, gap={gap} and no jitter "
            f"should put the neighbour's top-left corner {want} from the centre's (row, col), "
            f"not {(dy, dx)}"
        )


@pytest.mark.weight(2)
@pytest.mark.parametrize("h,w", [(0, 0), (0, 9), (11, 0)])
def test_relative_patch__patches_stay_inside_images_of_the_minimum_size(student, h, w):
    patch_size, gap, jitter = 4, 1, 2
    need = 3 * patch_size + 2 * gap + 2 * jitter
    h, w = need + h, need + w
    step = patch_size + gap
    for label, dy, dx in draws(student, 300, h, w, patch_size, gap, jitter, base=70 + h + w).tolist():
        ry, rx = dy - TABLE[label][0] * step, dx - TABLE[label][1] * step
        assert max(abs(ry), abs(rx)) <= 2 * jitter, (
            f"label {label} ({NAMES[label]}): the neighbour is further from its place than two jitters allow"
        )


def test_relative_patch__labels_are_uniform(student):
    times = 2000
    labels = draws(student, times, 14, 14, 3, 1, 1, base=80)[:, 0]
    for k in range(8):
        rate = float((labels == k).double().mean())
        assert abs(rate - 1 / 8) <= rate_tolerance(1 / 8, times), (
            f"label {k} ({NAMES[k]}) was drawn in {rate:.1%} of {times} pairs; "
            "labels must be uniform over the 8"
        )


def test_relative_patch__each_patch_is_jittered_independently_within_jitter(student):
    times, patch_size, gap, jitter = 2000, 3, 1, 2
    step = patch_size + gap
    rows = draws(student, times, 24, 24, patch_size, gap, jitter, base=90)
    table = torch.tensor(TABLE)[rows[:, 0]] * step  # (times, 2)
    residual = rows[:, 1:] - table  # (times, 2) neighbour's shift minus the centre's
    assert residual.abs().max() <= 2 * jitter, "a patch moved further than `jitter` from its place"
    # Two independent uniform shifts on [-J, J] differ by exactly +-2J with probability 2/(2J+1)^2.
    p = 2 / (2 * jitter + 1) ** 2
    for axis, name in ((0, "rows"), (1, "columns")):
        rate = float((residual[:, axis].abs() == 2 * jitter).double().mean())
        assert abs(rate - p) <= rate_tolerance(p, times), (
            f"along the {name}, the two patches' jitters should be independent integers uniform in "
            f"[-jitter, jitter] (here jitter={jitter}); their difference reached +-2*jitter in {rate:.1%} of "
            f"{times} pairs"
        )


def test_relative_patch__same_generator_seed_gives_the_same_pair(student):
    for offset in range(3):
        image = coordinates(30, 30)
        same = same_result_for_same_seed(student, "sample_patch_pair", 100 + offset, image, 4, 2, 2)
        assert same, (
            "two calls with generators seeded alike gave different pairs: draw every random number "
            "from `generator`"
        )


@pytest.mark.parametrize("h,w", [(16, 40), (40, 16), (16, 16)])
def test_relative_patch__too_small_images_raise_value_error(student, h, w):
    # patch_size 4, gap 1, jitter 1 need 3 * 4 + 2 * 1 + 2 * 1 = 16 pixels; 15 is one short.
    image = coordinates(h - (h == 16), w - (w == 16))
    expect_error(
        lambda: student.sample_patch_pair(image, 4, 1, 1),
        "ValueError",
        f"an image of {image.shape[1]}x{image.shape[2]} pixels with patch_size=4, gap=1, jitter=1",
    )
