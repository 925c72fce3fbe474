"""Hidden tests of task `relative_patch` (Doersch et al., 2015): offsets and the label table traced
with a coordinate image, both patches inside the image (margins leave room for the jitter), uniform
labels, independent uniform jitter of each patch (odd and even `jitter`) over many draws, randomness
from `generator` (torch's global generator when it is None)."""

import math

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    call_many,
    draws_to_tell_apart,
    expect_error,
    follows_the_global_generator,
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
    """The label as an int, from an int (or an integral float or one-element tensor: the label's
    type is a convention with its own test)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int:
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


def pair_check(h: int, w: int, patch_size: int, gap: int, jitter: int):
    """A ``result_check`` for one call on ``coordinates(h, w)``: two intact crops inside the image,
    a label in 0..7, the neighbour where the label puts it up to the two patches' jitter."""
    step = patch_size + gap

    def check(result) -> None:
        if not (isinstance(result, tuple | list) and len(result) == 3):
            raise AssertionError("sample_patch_pair should return (center, neighbor, label)")
        center, neighbor, label = result
        k = label_of(label)
        top_left = corners([center], "center", h, w, patch_size)[0]  # (2,)
        dy, dx = (corners([neighbor], "neighbor", h, w, patch_size)[0] - top_left).tolist()
        ry, rx = dy - TABLE[k][0] * step, dx - TABLE[k][1] * step
        assert max(abs(ry), abs(rx)) <= 2 * jitter, (
            f"label {k} ({NAMES[k]}): the neighbour is not where the label puts it "
            f"(patch_size={patch_size}, gap={gap}, jitter={jitter})"
        )

    return check


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
    # At the minimum size the centre has exactly one place: the margins must leave room for the
    # neighbour and for both patches' jitter.
    patch_size, gap, jitter = 4, 1, 2
    need = 3 * patch_size + 2 * gap + 2 * jitter
    h, w = need + h, need + w
    step = patch_size + gap
    for label, dy, dx in draws(student, 300, h, w, patch_size, gap, jitter, base=70 + h + w).tolist():
        ry, rx = dy - TABLE[label][0] * step, dx - TABLE[label][1] * step
        assert max(abs(ry), abs(rx)) <= 2 * jitter, (
            f"label {label} ({NAMES[label]}): the neighbour is further from its place than two jitters allow"
        )


@pytest.mark.weight(2)
def test_relative_patch__labels_are_uniform(student):
    times = 2000
    labels = draws(student, times, 14, 14, 3, 1, 1, base=80)[:, 0]
    for k in range(8):
        rate = float((labels == k).double().mean())
        assert abs(rate - 1 / 8) <= rate_tolerance(1 / 8, times), (
            f"label {k} ({NAMES[k]}) was drawn in {rate:.1%} of {times} pairs; "
            "labels must be uniform over the 8"
        )


@pytest.mark.weight(2)
@pytest.mark.parametrize("jitter", [1, 2], ids=["odd_jitter", "even_jitter"])
def test_relative_patch__each_patch_is_jittered_independently_and_uniformly(student, jitter):
    # The centre's place is free, so only the difference of the two shifts is seen: for independent
    # integers uniform in [-J, J] it is d with probability (2J + 1 - |d|) / (2J + 1)^2. The sample
    # tells it from a shift rounded from a continuous uniform (ends at half weight), the nearest
    # plausible mistake, by the rate of |d| = 2J (pooled over both axes).
    p_ends = 2 / (2 * jitter + 1) ** 2
    times = math.ceil(draws_to_tell_apart(p_ends, 2 / (4 * jitter) ** 2) / 2)
    patch_size, gap = 3, 1
    step = patch_size + gap
    rows = draws(student, times, 24, 24, patch_size, gap, jitter, base=90 + jitter)
    table = torch.tensor(TABLE)[rows[:, 0]] * step  # (times, 2)
    residual = (rows[:, 1:] - table).flatten()  # (2 * times,) neighbour's shift minus the centre's
    assert residual.abs().max() <= 2 * jitter, "a patch moved further than `jitter` from its place"
    samples, width = residual.numel(), 2 * jitter + 1
    for d in range(2 * jitter + 1):
        p = (width - d) / width**2 * (1 if d == 0 else 2)
        rate = float((residual.abs() == d).double().mean())
        assert abs(rate - p) <= rate_tolerance(p, samples), (
            f"the two patches' shifts should be independent integers uniform in [-jitter, jitter] on each "
            f"axis (here jitter={jitter}); their difference was {d} pixels apart in {rate:.1%} of {samples} "
            "cases"
        )


@pytest.mark.weight(2)
def test_relative_patch__the_two_axes_are_jittered_independently(student):
    # Four independent shifts (two per patch, one per axis): the residuals (ry, rx) of the neighbour's
    # corner are then independent, each the difference of two shifts, and ry == rx (or ry == -rx) with
    # probability sum_d P(d)^2 = 19/81 at jitter 1. A draw shared by two axes (one shift per patch,
    # or one patch's y shift reused for an x shift) correlates them: 1/3 or more.
    jitter, patch_size, gap = 1, 3, 1
    step, width = patch_size + gap, 2 * jitter + 1
    p_equal = sum(((width - abs(d)) / width**2) ** 2 for d in range(-2 * jitter, 2 * jitter + 1))
    times = draws_to_tell_apart(p_equal, 1 / 3)
    rows = draws(student, times, 24, 24, patch_size, gap, jitter, base=100)
    residual = rows[:, 1:] - torch.tensor(TABLE)[rows[:, 0]] * step  # (times, 2) ry, rx
    assert residual.abs().max() <= 2 * jitter, "a patch moved further than `jitter` from its place"
    for sign, what in ((1, "equal"), (-1, "opposite")):
        rate = float((residual[:, 0] == sign * residual[:, 1]).double().mean())
        assert abs(rate - p_equal) <= rate_tolerance(p_equal, times), (
            "each patch's shifts on the two axes should be independent draws (four integers uniform in "
            f"[-jitter, jitter], two per patch); the vertical and horizontal displacement were {what} in "
            f"{rate:.1%} of {times} pairs"
        )


@pytest.mark.weight(0.5)
def test_relative_patch__crops_keep_the_images_dtype_and_the_label_is_an_int(student):
    for dtype in (torch.float32, torch.float64):
        result = student.sample_patch_pair(coordinates(20, 20, dtype), 4, 1, 1)
        pair_check(20, 20, 4, 1, 1)(result)
        center, neighbor, label = result
        assert_dtype(center, dtype, f"center of a {dtype} image (same dtype as the image)")
        assert_dtype(neighbor, dtype, f"neighbor of a {dtype} image (same dtype as the image)")
        assert type(label) is int or (
            isinstance(label, torch.Tensor) and label.dim() == 0 and not label.is_floating_point()
            and label.dtype != torch.bool
        ), "label should be a Python int or a 0-d integer tensor"


@pytest.mark.weight(0.5)
def test_relative_patch__same_generator_seed_gives_the_same_pair(student):
    image = coordinates(30, 30)
    for offset in range(3):
        same = same_result_for_same_seed(
            student, "sample_patch_pair", 100 + offset, image, 4, 2, 2,
            result_check=pair_check(30, 30, 4, 2, 2),
        )
        assert same, (
            "two calls with generators seeded alike gave different pairs: draw every random number "
            "from `generator`"
        )


@pytest.mark.weight(0.5)
def test_relative_patch__without_a_generator_uses_torchs_global_generator(student):
    # 8 labels and 7 x 7 shifts of each patch: two unseeded calls agree with probability 1/19208 at
    # most (the centre's place is free), so at least one of three pairs must differ.
    image, differ = coordinates(30, 30), []
    for offset in range(3):
        reproduced, different = follows_the_global_generator(
            student, "sample_patch_pair", 110 + offset, image, 4, 2, 3,
            result_check=pair_check(30, 30, 4, 2, 3),
        )
        assert reproduced, (
            "with generator=None, re-seeding torch's global generator (torch.manual_seed) must reproduce "
            "the pair: draw from torch's global generator"
        )
        differ.append(different)
    assert any(differ), (
        "with generator=None, successive calls always gave the same pair: draw from torch's global "
        "generator, not from a fresh torch.Generator()"
    )


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("patch_size,gap,jitter", [(4, 1, 1), (3, 3, 2)], ids=["gap_1", "gap_3"])
def test_relative_patch__too_small_images_raise_value_error(student, patch_size, gap, jitter):
    # The bound is 3 * patch_size + 2 * gap + 2 * jitter (16 and 19 pixels here); one pixel short on
    # the shorter side raises. A gap of 3 tells 2 * gap from terms that agree with it at gap 1.
    need = 3 * patch_size + 2 * gap + 2 * jitter

    def just_fitting(h: int, w: int) -> None:  # min(H, W) == need is allowed
        check = pair_check(h, w, patch_size, gap, jitter)
        check(student.sample_patch_pair(coordinates(h, w), patch_size, gap, jitter))

    for h, w in [(need, 40), (40, need), (need, need)]:
        small = coordinates(h - (h == need), w - (w == need))
        expect_error(
            lambda: student.sample_patch_pair(small, patch_size, gap, jitter),  # noqa: B023 (called at once)
            "ValueError",
            f"an image of {small.shape[1]}x{small.shape[2]} pixels with patch_size={patch_size}, gap={gap}, "
            f"jitter={jitter}",
            valid=lambda: just_fitting(h, w),  # noqa: B023
        )
