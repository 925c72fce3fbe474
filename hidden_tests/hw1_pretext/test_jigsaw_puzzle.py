"""Hidden tests of task `jigsaw_puzzle`: tiles traced back to their cells with a coordinate image
(gather convention, permutations that are not their own inverse), crops inside cells, uniform
labels and crop offsets (odd and even slack) drawn independently per cell and image, randomness
from `generator` (torch's global generator when it is None)."""

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    expect_error,
    follows_the_global_generator,
    generator,
    rate_tolerance,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("jigsaw_puzzle")


def coordinate_images(b: int, c: int, h: int, dtype=torch.float64) -> torch.Tensor:
    """Pixel (b, ch, y, x) holds b*H*H + y*H + x (+ ch/2): every crop says where it was cut."""
    base = torch.arange(b * h * h, dtype=dtype).reshape(b, 1, h, h)
    return torch.cat([base + ch / 2 for ch in range(c)], dim=1)  # (B, C, H, H)


def shuffling_permutations(p: int, base: int) -> torch.Tensor:
    """p distinct permutations of 9 cells, none its own inverse (so gather and scatter differ)."""
    g, rows = generator(base), []
    while len(rows) < p:
        perm = torch.randperm(9, generator=g)
        if not torch.equal(perm[perm], torch.arange(9)) and all(not torch.equal(perm, r) for r in rows):
            rows.append(perm)
    return torch.stack(rows)  # (P, 9)


def batch(student, images, permutations, tile_size, base):
    result = student.make_jigsaw_batch(
        images, permutations, tile_size, generator=student_generator(student, base)
    )
    return checked(result, images, permutations, tile_size)


def checked(result, images, permutations, tile_size):
    """(tiles, labels) after checking their shapes and the labels' range (values only)."""
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise AssertionError("make_jigsaw_batch should return a pair (tiles, labels)")
    tiles, labels = result
    b, c = images.shape[:2]
    want = (b, 9, c, tile_size, tile_size)
    if not isinstance(tiles, torch.Tensor) or tuple(tiles.shape) != want:
        raise AssertionError(
            f"tiles should have shape (B, 9, C, tile_size, tile_size) = {want}, "
            f"got {getattr(tiles, 'shape', type(tiles).__name__)}"
        )
    if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != (b,):
        raise AssertionError(f"labels should be a tensor of shape ({b},)")
    if not ((labels >= 0) & (labels < len(permutations)) & (labels == labels.round())).all():
        raise AssertionError(f"labels must be integers in 0..P-1 = 0..{len(permutations) - 1}")
    return tiles, labels.long()


def corners(tiles: torch.Tensor, h: int, what: str) -> torch.Tensor:
    """(B, 9, 3) image index, row and column of every tile's top-left pixel, after checking that
    each tile is an intact crop of one image (channels included)."""
    b, _, c, t, _ = tiles.shape
    first = tiles[:, :, 0, 0, 0].round().long()  # (B, 9)
    image, row, col = first // (h * h), first % (h * h) // h, first % h
    expected = (
        first[:, :, None, None, None]
        + h * torch.arange(t)[:, None]
        + torch.arange(t)
        + torch.arange(c)[:, None, None] / 2
    )  # (B, 9, C, t, t)
    if not torch.equal(tiles.double(), expected.double()):
        raise AssertionError(
            f"{what}: some tile is not an unchanged tile_size x tile_size crop of the image "
            "(raw pixel values, every channel)"
        )
    return torch.stack([image, row, col], dim=-1)


def assert_tiles_from_the_named_cells(tiles, labels, permutations, h: int, tile_size: int) -> None:
    """The value check on a batch of coordinate images: every tile an intact crop of its own image,
    inside one cell, the cell that the drawn permutation names (gather convention)."""
    b, cell = tiles.shape[0], h // 3
    where = corners(tiles, h, f"H={h}, tile_size={tile_size}")
    for n in range(b):
        assert (where[n, :, 0] == n).all(), f"the tiles of image {n} must all be cut from image {n}"
        for i in range(9):
            want = int(permutations[labels[n], i])
            top, left = int(where[n, i, 1]), int(where[n, i, 2])
            inside = (top // cell == (top + tile_size - 1) // cell) and (
                left // cell == (left + tile_size - 1) // cell
            )
            assert inside, (
                f"tile {i} of image {n} (H={h}, tile_size={tile_size}) crosses the border of a cell"
            )
            got = 3 * (top // cell) + left // cell
            assert got == want, (
                f"tile {i} of image {n} comes from cell {got}, but entry {i} of the permutation its label "
                f"picks is {want}: tile i must be cut from the cell that entry i names (gather convention; "
                "cells numbered 3*row + col)"
            )


def valid_batch(images, permutations, tile_size):
    """A ``result_check``: the result of a call on coordinate images is a right batch."""

    def check(result) -> None:
        tiles, labels = checked(result, images, permutations, tile_size)
        assert_tiles_from_the_named_cells(tiles, labels, permutations, images.shape[-1], tile_size)

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize("h,tile_size", [(9, 3), (12, 3), (15, 4), (12, 2)])
def test_jigsaw_puzzle__tile_i_is_cut_from_cell_permutations_label_i(student, h, tile_size):
    permutations = shuffling_permutations(5, 10 + h)
    tiles, labels = batch(student, coordinate_images(4, 2, h), permutations, tile_size, base=20 + h)
    assert_tiles_from_the_named_cells(tiles, labels, permutations, h, tile_size)


@pytest.mark.weight(2)
def test_jigsaw_puzzle__labels_are_uniform_over_the_permutations(student):
    b, p = 2000, 4
    images = torch.rand(b, 1, 3, 3, generator=generator(30))
    _, labels = batch(student, images, shuffling_permutations(p, 31), 1, base=32)
    for k in range(p):
        rate = float((labels == k).double().mean())
        assert abs(rate - 1 / p) <= rate_tolerance(1 / p, b), (
            f"label {k} was drawn for {rate:.1%} of {b} images; labels must be uniform over 0..P-1 (P = {p})"
        )


@pytest.mark.weight(2)
@pytest.mark.parametrize("h,tile_size", [(12, 2), (15, 2)], ids=["even_slack", "odd_slack"])
def test_jigsaw_puzzle__crop_offsets_are_uniform_and_drawn_per_cell_and_image(student, h, tile_size):
    # Slack cell - tile_size = 2 (offsets 0..2) and 3 (offsets 0..3): an offset jittered around the
    # cell's centre reaches every place only when the slack is even.
    b = 600
    cell, choices = h // 3, h // 3 - tile_size + 1
    permutations = shuffling_permutations(3, 40 + h)
    tiles, labels = batch(student, coordinate_images(b, 1, h), permutations, tile_size, base=41 + h)
    where = corners(tiles, h, f"H={h}, tile_size={tile_size}")
    source = permutations[labels]  # (B, 9) the cell of every tile
    offsets = torch.zeros(b, 9, 2, dtype=torch.int64)  # (B, cell, axis)
    offsets.scatter_(1, source[:, :, None].expand(b, 9, 2), where[:, :, 1:] % cell)
    n = b * 9
    for axis, name in ((0, "vertical"), (1, "horizontal")):
        for value in range(choices):
            rate = float((offsets[:, :, axis] == value).double().mean())
            assert abs(rate - 1 / choices) <= rate_tolerance(1 / choices, n), (
                f"the {name} crop offset inside a cell was {value} for {rate:.1%} of {n} tiles; it must be "
                f"uniform over 0..{choices - 1} (cell {cell}, tile_size {tile_size})"
            )
    p_same = 1 / choices**2
    same_cells = float((offsets[:, 0] == offsets[:, 4]).all(-1).double().mean())
    assert abs(same_cells - p_same) <= rate_tolerance(p_same, b), (
        "two cells of the same image got the same crop offset far too often: draw an offset for every cell"
    )
    same_images = float((offsets[:-1, 0] == offsets[1:, 0]).all(-1).double().mean())
    assert abs(same_images - p_same) <= rate_tolerance(p_same, b - 1), (
        "the same cell of different images got the same crop offset far too often: draw offsets per image"
    )


@pytest.mark.weight(0.5)
def test_jigsaw_puzzle__keeps_the_images_dtype_and_returns_int64_labels(student):
    permutations = shuffling_permutations(4, 1)
    for dtype in (torch.float32, torch.float64):
        images = coordinate_images(2, 3, 9, dtype)
        result = student.make_jigsaw_batch(images, permutations, 2, generator=student_generator(student, 2))
        valid_batch(images, permutations, 2)(result)
        tiles, labels = result
        assert_dtype(tiles, dtype, f"tiles of {dtype} images (same dtype as the images)")
        assert_dtype(labels, torch.int64, "labels")


@pytest.mark.weight(0.5)
def test_jigsaw_puzzle__same_generator_seed_gives_the_same_batch(student):
    images, permutations = coordinate_images(3, 1, 12), shuffling_permutations(6, 50)
    for offset in range(3):
        same = same_result_for_same_seed(
            student, "make_jigsaw_batch", 51 + offset, images, permutations, 3,
            result_check=valid_batch(images, permutations, 3),
        )
        assert same, (
            "two calls with generators seeded alike gave different batches: draw every random number "
            "from `generator`"
        )


@pytest.mark.weight(0.5)
def test_jigsaw_puzzle__without_a_generator_uses_torchs_global_generator(student):
    # 3 images, 6 labels and 2 x 2 offsets per cell: two unseeded calls agree with probability < 1e-15.
    images, permutations = coordinate_images(3, 1, 12), shuffling_permutations(6, 55)
    reproduced, different = follows_the_global_generator(
        student, "make_jigsaw_batch", 56, images, permutations, 3,
        result_check=valid_batch(images, permutations, 3),
    )
    assert reproduced, (
        "with generator=None, re-seeding torch's global generator (torch.manual_seed) must reproduce the "
        "batch: draw from torch's global generator"
    )
    assert different, (
        "with generator=None, successive calls gave the same batch: draw from torch's global generator, "
        "not from a fresh torch.Generator()"
    )


@pytest.mark.weight(0.5)
def test_jigsaw_puzzle__tiles_larger_than_a_cell_raise_value_error(student):
    permutations = shuffling_permutations(2, 60)

    def just_fitting(images) -> None:  # tile_size == H // 3 is allowed
        valid_batch(images, permutations, images.shape[-1] // 3)(
            student.make_jigsaw_batch(images, permutations, images.shape[-1] // 3)
        )

    for h in (9, 12):
        images = coordinate_images(2, 1, h)
        expect_error(
            lambda: student.make_jigsaw_batch(images, permutations, h // 3 + 1),  # noqa: B023
            "ValueError",
            f"tile_size={h // 3 + 1} with H={h} (cells of {h // 3})",
            valid=lambda: just_fitting(images),  # noqa: B023
        )
