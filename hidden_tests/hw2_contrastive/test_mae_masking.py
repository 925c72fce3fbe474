"""Hidden tests of task `mae_masking` (MAE's per-sample random masking)."""

import pytest
import torch

from autograder.testing import assert_inputs_unchanged, assert_rate, generator, rate_tolerance, seed

pytestmark = pytest.mark.task("mae_masking")


def tokens(base: int, n: int, length: int, d: int) -> torch.Tensor:
    return torch.randn(n, length, d, generator=generator(base), dtype=torch.float64)


@pytest.mark.weight(3)
@pytest.mark.parametrize("n,length,ratio", [(1, 16, 0.75), (5, 10, 0.5), (4, 8, 0.25)])
def test_mae_masking__kept_tokens_mask_and_restore_order_agree(student, n, length, ratio):
    d = 3
    keep = int(length * (1 - ratio))
    x = tokens(n * length, n, length, d)
    x_kept, mask, ids_restore = student.random_masking(x, ratio)
    assert x_kept.shape == (n, keep, d), f"x_kept should have shape {(n, keep, d)}, not {tuple(x_kept.shape)}"
    assert mask.shape == (n, length) and ids_restore.shape == (n, length), "mask and ids_restore are (N, L)"
    assert ids_restore.dtype == torch.int64, "ids_restore should be int64"
    mask = mask.to(torch.float64)
    assert bool(((mask == 0) | (mask == 1)).all()), "the mask holds 0 and 1 only"
    assert bool((mask.sum(dim=1) == length - keep).all()), (
        f"each sample removes exactly {length - keep} tokens"
    )
    for i in range(n):
        assert sorted(ids_restore[i].tolist()) == list(range(length)), (
            "each row of ids_restore is a permutation"
        )
        kept_positions = sorted(torch.nonzero(mask[i] == 0).flatten().tolist())
        matches = sorted(
            int((x[i] == row).all(dim=1).nonzero()[0])
            for row in x_kept[i]
            if bool((x[i] == row).all(dim=1).any())
        )
        assert matches == kept_positions, (
            "x_kept should hold exactly the tokens where mask is 0 (1 = removed)"
        )
    sentinel = torch.full((n, length - keep, d), 1e6, dtype=torch.float64)
    full = torch.cat([x_kept.to(torch.float64), sentinel], dim=1)
    restored = torch.gather(full, 1, ids_restore.unsqueeze(-1).expand(-1, -1, d))
    expected = torch.where(mask.unsqueeze(-1) == 1, sentinel[:, :1].expand(-1, length, -1), x)
    assert torch.equal(restored, expected), (
        "gathering [x_kept; mask tokens] with ids_restore does not give back the original order"
    )


@pytest.mark.weight(2)
def test_mae_masking__every_position_is_removed_with_probability_mask_ratio(student):
    n, length, ratio = 4000, 8, 0.75
    _, mask, _ = student.random_masking(tokens(3, n, length, 1), ratio)
    removed = mask.to(torch.float64).sum(dim=0)
    for position in range(length):
        assert_rate(int(removed[position]), n, ratio, f"token {position} removed")


@pytest.mark.weight(2)
def test_mae_masking__each_sample_draws_its_own_mask(student):
    n, length, ratio = 4000, 8, 0.75
    _, mask, _ = student.random_masking(tokens(5, n, length, 1), ratio)
    same = int((mask[1:] == mask[:-1]).all(dim=1).sum())
    # two independent masks keep the same 2 of 8 tokens with probability 1 / C(8, 2) = 1/28
    p = 1 / 28
    assert abs(same / (n - 1) - p) <= rate_tolerance(p, n - 1), (
        "consecutive samples share their mask too often or too rarely: draw every sample's mask independently"
    )


def test_mae_masking__draws_every_random_number_from_the_generator(student):
    x = tokens(7, 6, 16, 2)
    a = student.random_masking(x, 0.75, generator=student.generator(seed(8)))
    b = student.random_masking(x, 0.75, generator=student.generator(seed(8)))
    c = student.random_masking(x, 0.75, generator=student.generator(seed(9)))
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=False)), (
        "two calls with equally seeded generators should give the same masking"
    )
    assert not torch.equal(a[1], c[1]), "calls with differently seeded generators should give different masks"


def test_mae_masking__does_not_modify_inputs(student):
    assert_inputs_unchanged(student, "random_masking", tokens(11, 3, 8, 4), 0.5)
