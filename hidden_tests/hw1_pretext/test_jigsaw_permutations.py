"""Hidden tests of task `jigsaw_permutations` (Noroozi & Favaro, 2016, Algorithm 1): distinct
permutations, the greedy maximal-mean-Hamming rule checked exactly on small sets, uniform first row,
randomness from `generator` (torch's global generator when it is None)."""

import itertools
import math

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    call_many,
    expect_error,
    follows_the_global_generator,
    rate_tolerance,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("jigsaw_permutations")


def checked(rows, n_permutations: int, n_tiles: int) -> torch.Tensor:
    """``rows`` after checking: the shape, every row a permutation of 0..n_tiles-1, rows distinct.
    Values only (the dtype is a convention with its own test)."""
    if not isinstance(rows, torch.Tensor) or tuple(rows.shape) != (n_permutations, n_tiles):
        raise AssertionError(
            f"jigsaw_permutations({n_permutations}, n_tiles={n_tiles}) should return a tensor "
            f"of shape {(n_permutations, n_tiles)}"
        )
    for i, row in enumerate(rows.tolist()):
        if sorted(row) != list(range(n_tiles)):
            raise AssertionError(f"row {i} is not a permutation of 0..{n_tiles - 1}")
    if len({tuple(r) for r in rows.tolist()}) != n_permutations:
        raise AssertionError("rows must be distinct: a chosen permutation may not be chosen again")
    return rows


def hamming(p: tuple[int, ...], q: tuple[int, ...]) -> int:
    return sum(a != b for a, b in zip(p, q, strict=True))


def assert_greedy(rows: torch.Tensor, n_tiles: int) -> None:
    """Every row after the first maximises the summed (so the mean) Hamming distance to the rows
    before it among the permutations not chosen yet: the oracle scans all n_tiles! of them."""
    chosen_rows = [tuple(int(v) for v in r) for r in rows.tolist()]
    every = list(itertools.permutations(range(n_tiles)))
    for k in range(1, len(chosen_rows)):
        chosen = chosen_rows[:k]
        best = max(sum(hamming(q, p) for p in chosen) for q in every if q not in chosen)
        got = sum(hamming(chosen_rows[k], p) for p in chosen)
        assert got == best, (
            f"row {k} (n_tiles={n_tiles}) is not a permutation whose mean Hamming distance "
            "to the rows before it is maximal among the permutations not chosen yet"
        )


def greedy_set(n_permutations: int, n_tiles: int):
    """A value check: a valid set of n_permutations greedy rows."""

    def check(rows) -> None:
        assert_greedy(checked(rows, n_permutations, n_tiles), n_tiles)

    return check


def permutation_set(student, n_permutations: int, n_tiles: int, base: int) -> torch.Tensor:
    rows = student.jigsaw_permutations(n_permutations, n_tiles, generator=student_generator(student, base))
    return checked(rows, n_permutations, n_tiles)


@pytest.mark.weight(2)
@pytest.mark.parametrize("n_permutations,n_tiles", [(10, 4), (24, 4), (40, 5)])
def test_jigsaw_permutations__rows_are_distinct_permutations(student, n_permutations, n_tiles):
    permutation_set(student, n_permutations, n_tiles, base=n_permutations * 10 + n_tiles)


@pytest.mark.weight(3)
@pytest.mark.parametrize("n_permutations,n_tiles", [(6, 3), (24, 4), (16, 4), (12, 5)])
def test_jigsaw_permutations__each_row_maximises_the_mean_hamming_distance(student, n_permutations, n_tiles):
    assert_greedy(permutation_set(student, n_permutations, n_tiles, base=100 + n_tiles), n_tiles)


@pytest.mark.weight(2)
@pytest.mark.parametrize("n_permutations,n_tiles", [(5, 5), (6, 6), (4, 9)])
def test_jigsaw_permutations__few_rows_differ_in_every_position(student, n_permutations, n_tiles):
    rows = permutation_set(student, n_permutations, n_tiles, base=200 + n_tiles)
    distances = (rows[:, None, :] != rows[None, :, :]).sum(-1)  # (n, n)
    off_diagonal = ~torch.eye(n_permutations, dtype=torch.bool)
    assert (distances[off_diagonal] == n_tiles).all(), (
        f"with n_permutations <= n_tiles (here {n_permutations} <= {n_tiles}) the greedy rule makes every "
        "pair of rows differ in every position"
    )


@pytest.mark.weight(2)
def test_jigsaw_permutations__first_row_is_uniform_over_all_permutations(student):
    draws = 600
    results = call_many(student, "jigsaw_permutations", draws, 1, 3, generator=student_generator(student, 7))
    counts: dict[tuple[int, ...], int] = {}
    for rows in results:
        first = tuple(int(v) for v in checked(rows, 1, 3)[0].tolist())
        counts[first] = counts.get(first, 0) + 1
    p = 1 / 6
    for perm in itertools.permutations(range(3)):
        rate = counts.get(perm, 0) / draws
        assert abs(rate - p) <= rate_tolerance(p, draws), (
            f"over {draws} calls with n_tiles=3 the first row was {list(perm)} in {rate:.0%} of them; "
            "it must be drawn uniformly from all 6 permutations"
        )


@pytest.mark.weight(0.5)
def test_jigsaw_permutations__returns_int64(student):
    rows = student.jigsaw_permutations(5, 4, generator=student_generator(student, 260))
    greedy_set(5, 4)(rows)
    assert_dtype(rows, torch.int64, "jigsaw_permutations")


@pytest.mark.weight(0.5)
def test_jigsaw_permutations__same_generator_seed_gives_the_same_set(student):
    for offset in range(3):
        same = same_result_for_same_seed(
            student, "jigsaw_permutations", 300 + offset, 4, 5, result_check=greedy_set(4, 5)
        )
        assert same, (
            "two calls with generators seeded alike gave different sets: draw every random number "
            "from `generator`"
        )


@pytest.mark.weight(0.5)
def test_jigsaw_permutations__without_a_generator_uses_torchs_global_generator(student):
    # 6! = 720 first rows: two unseeded calls give the same set with probability 1/720 at most,
    # so at least one of three pairs must differ (all three alike: below 1e-8).
    differ = []
    for offset in range(3):
        reproduced, different = follows_the_global_generator(
            student, "jigsaw_permutations", 350 + offset, 3, 6, result_check=greedy_set(3, 6)
        )
        assert reproduced, (
            "with generator=None, re-seeding torch's global generator (torch.manual_seed) must reproduce "
            "the set: draw from torch's global generator"
        )
        differ.append(different)
    assert any(differ), (
        "with generator=None, successive calls always gave the same set: draw from torch's global "
        "generator, not from a fresh torch.Generator()"
    )


@pytest.mark.weight(0.5)
def test_jigsaw_permutations__impossible_counts_raise_value_error(student):
    def all_of_them(n_tiles: int) -> None:  # n_permutations == n_tiles! is allowed
        count = math.factorial(n_tiles)
        g = student_generator(student, 400 + n_tiles)
        rows = student.jigsaw_permutations(count, n_tiles, generator=g)
        greedy_set(count, n_tiles)(rows)

    for n_permutations, n_tiles in [(0, 4), (7, 3), (25, 4)]:
        expect_error(
            lambda: student.jigsaw_permutations(n_permutations, n_tiles),  # noqa: B023 (called at once)
            "ValueError",
            f"n_permutations={n_permutations} with n_tiles={n_tiles} "
            f"({math.factorial(n_tiles)} permutations exist)",
            valid=lambda: all_of_them(n_tiles),  # noqa: B023
        )
