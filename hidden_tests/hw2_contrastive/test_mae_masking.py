"""Hidden tests of task `mae_masking` (MAE's per-sample random masking).

Every call's result is checked as a masking (``masking``): shapes, a 0/1 mask (any numeric or bool
dtype) that removes L - floor(L (1 - r)) tokens, kept tokens that are exactly the unmasked ones, and
an ``ids_restore`` that puts them back. Random properties are rates over thousands of samples with
5-sigma binomial tolerances; the ratios used (0.25, 0.5, 0.75) make L (1 - r) exact in floating
point, so floor, round, ceil and L - floor(L r) are told apart without rounding traps.
"""

import math

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_inputs_unchanged,
    assert_rate,
    draws_to_tell_apart,
    follows_the_global_generator,
    generator,
    rate_tolerance,
    same_result_for_same_seed,
)

pytestmark = pytest.mark.task("mae_masking")


def tokens(base: int, n: int, length: int, d: int) -> torch.Tensor:
    return torch.randn(n, length, d, generator=generator(base), dtype=torch.float64)


def masking(x: torch.Tensor, ratio: float, result) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Check ``random_masking(x, ratio)``'s result; return x_kept, the mask as float64 and the
    positions (N, L_keep) in x of the kept tokens, in x_kept's order."""
    n, length, d = x.shape
    keep = math.floor(length * (1 - ratio))
    assert isinstance(result, tuple | list) and len(result) == 3, (
        "random_masking should return (x_kept, mask, ids_restore)"
    )
    x_kept, mask, ids_restore = result
    assert all(isinstance(t, torch.Tensor) for t in result), "random_masking should return three tensors"
    assert x_kept.shape == (n, keep, d), (
        f"x_kept should have shape (N, floor(L * (1 - mask_ratio)), D) = {(n, keep, d)}, "
        f"not {tuple(x_kept.shape)}"
    )
    assert mask.shape == (n, length) and ids_restore.shape == (n, length), "mask and ids_restore are (N, L)"
    mask = mask.detach().to(torch.float64)
    assert bool(((mask == 0) | (mask == 1)).all()), "the mask holds 0 and 1 only"
    assert bool((mask.sum(dim=1) == length - keep).all()), (
        f"each sample should remove L - floor(L * (1 - mask_ratio)) = {length - keep} of its {length} tokens"
    )
    ids = ids_restore.detach().to(torch.float64)
    assert bool((ids == ids.round()).all()), "ids_restore should hold indices"
    ids = ids.long()
    x_kept = x_kept.detach().to(torch.float64)
    positions = torch.empty(n, keep, dtype=torch.long)
    for i in range(n):
        assert sorted(ids[i].tolist()) == list(range(length)), "each row of ids_restore is a permutation"
        for j, row in enumerate(x_kept[i]):
            found = (x[i] == row).all(dim=1).nonzero()
            assert len(found) == 1, "x_kept should hold tokens of x, unchanged"
            positions[i, j] = found[0, 0]
        kept = torch.nonzero(mask[i] == 0).flatten().tolist()
        assert sorted(positions[i].tolist()) == kept, "x_kept should hold exactly the tokens where mask is 0"
    sentinel = torch.full((n, length - keep, d), 1e6, dtype=torch.float64)
    restored = torch.gather(torch.cat([x_kept, sentinel], dim=1), 1, ids.unsqueeze(-1).expand(-1, -1, d))
    expected = torch.where(mask.unsqueeze(-1) == 1, torch.full_like(x, 1e6), x)
    assert torch.equal(restored, expected), (
        "gathering [x_kept; mask tokens] with ids_restore does not give back the original order"
    )
    return x_kept, mask, positions


def valid(x: torch.Tensor, ratio: float):
    return lambda result: masking(x, ratio, result)


@pytest.mark.weight(3)
@pytest.mark.parametrize("n,length,ratio", [(1, 16, 0.75), (5, 10, 0.5), (4, 8, 0.25)])
def test_mae_masking__kept_tokens_mask_and_restore_order_agree(student, n, length, ratio):
    x = tokens(n * length, n, length, 3)
    masking(x, ratio, student.random_masking(x, ratio))


@pytest.mark.weight(2)
@pytest.mark.parametrize("length,ratio", [(7, 0.5), (10, 0.75), (9, 0.25)])
def test_mae_masking__keeps_floor_of_l_times_1_minus_ratio_tokens(student, length, ratio):
    # L (1 - r) = 3.5, 2.5, 6.75: floor keeps 3, 2, 6; round, ceil and L - floor(L r) differ.
    x = tokens(length, 3, length, 2)
    masking(x, ratio, student.random_masking(x, ratio))


@pytest.mark.weight(2)
def test_mae_masking__every_position_is_removed_with_probability_mask_ratio(student):
    n, length, ratio = 4000, 8, 0.75
    _, mask, _ = student.random_masking(tokens(3, n, length, 1), ratio)
    assert isinstance(mask, torch.Tensor) and mask.shape == (n, length), "the mask is (N, L)"
    removed = mask.to(torch.float64).sum(dim=0)
    for position in range(length):
        assert_rate(int(removed[position]), n, ratio, f"token {position} removed")


@pytest.mark.weight(2)
def test_mae_masking__each_sample_draws_its_own_mask(student):
    n, length, ratio = 4000, 8, 0.75
    _, mask, _ = student.random_masking(tokens(5, n, length, 1), ratio)
    assert isinstance(mask, torch.Tensor) and mask.shape == (n, length), "the mask is (N, L)"
    same = int((mask[1:] == mask[:-1]).all(dim=1).sum())
    # two independent masks keep the same 2 of 8 tokens with probability 1 / C(8, 2) = 1/28
    p = 1 / 28
    assert abs(same / (n - 1) - p) <= rate_tolerance(p, n - 1), (
        "consecutive samples share their mask too often or too rarely: draw every sample's mask independently"
    )


@pytest.mark.weight(2)
def test_mae_masking__kept_tokens_come_in_the_shuffles_random_order(student):
    # The kept tokens are the first L_keep of a uniform random permutation, so their order is
    # random too: 4 kept tokens are in their original order in 1 of 4! = 24 samples.
    n, length, ratio = draws_to_tell_apart(1 / 24, 1 / 2), 8, 0.5
    x = tokens(13, n, length, 1)
    _, _, positions = masking(x, ratio, student.random_masking(x, ratio))
    increasing = int((positions[:, 1:] > positions[:, :-1]).all(dim=1).sum())
    assert_rate(increasing, n, 1 / 24, "samples whose kept tokens are in their original order")


def test_mae_masking__draws_every_random_number_from_the_generator(student):
    x = tokens(7, 6, 16, 2)
    assert same_result_for_same_seed(student, "random_masking", 8, x, 0.75, result_check=valid(x, 0.75)), (
        "two calls with equally seeded generators should give the same masking: draw every random "
        "number from `generator`"
    )


@pytest.mark.weight(0.5)
def test_mae_masking__without_a_generator_uses_torchs_global_generator(student):
    x = tokens(9, 6, 16, 2)
    reproduced, differ = follows_the_global_generator(
        student, "random_masking", 10, x, 0.75, result_check=valid(x, 0.75)
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator should reproduce the masking"
    assert differ, "with generator=None, two calls should draw different masks (torch's global generator)"


@pytest.mark.weight(0.5)
def test_mae_masking__ids_restore_is_int64(student):
    x = tokens(15, 2, 8, 2)
    result = student.random_masking(x, 0.5)
    masking(x, 0.5, result)
    assert_dtype(result[2], torch.int64, "ids_restore")


@pytest.mark.weight(0.5)
def test_mae_masking__does_not_modify_inputs(student):
    x = tokens(11, 3, 8, 4)
    assert_inputs_unchanged(student, "random_masking", x, 0.5, result_check=valid(x, 0.5))
