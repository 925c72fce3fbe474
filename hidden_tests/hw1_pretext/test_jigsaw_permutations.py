"""Hidden tests of task `jigsaw_permutations` (Noroozi & Favaro, 2016, Algorithm 1): distinct
permutations, the greedy maximal-mean-Hamming rule checked exactly on small sets, uniform first row."""

import itertools
import math

import pytest
import torch

from autograder.testing import (
    call_many,
    expect_error,
    rate_tolerance,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("jigsaw_permutations")


def permutation_set(student, n_permutations: int, n_tiles: int, base: int) -> torch.Tensor:
    rows = student.jigsaw_permutations(n_permutations, n_tiles, generator=student_generator(student, base))
    if not isinstance(rows, torch.Tensor) or tuple(rows.shape) != (n_permutations, n_tiles):
        raise AssertionError(
            f"jigsaw_permutations({n_permutations}, n_tiles={n_tiles}) should return a tensor "
            f"of shape {(n_permutations, n_tiles)}"
        )
    if rows.dtype != torch.int64:
        raise AssertionError(f"jigsaw_permutations should return int64, not {rows.dtype}")
    for i, row in enumerate(rows.tolist()):
        if sorted(row) != list(range(n_tiles)):
            raise AssertionError(f"row {i} is not a permutation of 0..{n_tiles - 1}")
    if len({tuple(r) for r in rows.tolist()}) != n_permutations:
        raise AssertionError("rows must be distinct: a chosen permutation may not be chosen again")
    return rows


def hamming(p: tuple[int, ...], q: tuple[int, ...]) -> int:
    return sum(a != b for a, b in zip(p, q, strict=True))


@pytest.mark.parametrize("n_permutations,n_tiles", [(6, 3), (10, 4), (24, 4), (40, 5)])
def test_jigsaw_permutations__rows_are_distinct_permutations_as_int64(student, n_permutations, n_tiles):
    permutation_set(student, n_permutations, n_tiles, base=n_permutations * 10 + n_tiles)


@pytest.mark.weight(3)
@pytest.mark.parametrize("n_permutations,n_tiles", [(6, 3), (24, 4), (16, 4), (12, 5)])
def test_jigsaw_permutations__each_row_maximises_the_mean_hamming_distance(student, n_permutations, n_tiles):
    rows = [tuple(r) for r in permutation_set(student, n_permutations, n_tiles, base=100 + n_tiles).tolist()]
    every = list(itertools.permutations(range(n_tiles)))
    for k in range(1, n_permutations):
        chosen = rows[:k]
        best = max(sum(hamming(q, p) for p in chosen) for q in every if q not in chosen)
        got = sum(hamming(rows[k], p) for p in chosen)
        assert got == best, (
            f"row {k} (n_tiles={n_tiles}) is not a permutation whose mean Hamming distance "
            "to the rows before it is maximal among the permutations not chosen yet"
        )


@pytest.mark.parametrize("n_permutations,n_tiles", [(5, 5), (6, 6), (4, 9)])
def test_jigsaw_permutations__few_rows_differ_in_every_position(student, n_permutations, n_tiles):
    rows = permutation_set(student, n_permutations, n_tiles, base=200 + n_tiles)
    distances = (rows[:, None, :] != rows[None, :, :]).sum(-1)  # (n, n)
    off_diagonal = ~torch.eye(n_permutations, dtype=torch.bool)
    assert (distances[off_diagonal] == n_tiles).all(), (
        f"with n_permutations <= n_tiles (here {n_permutations} <= {n_tiles}) the greedy rule makes every "
        "pair of rows differ in every position"
    )


def test_jigsaw_permutations__first_row_is_uniform_over_all_permutations(student):
    draws = 600
    results = call_many(student, "jigsaw_permutations", draws, 1, 3, generator=student_generator(student, 7))
    counts: dict[tuple[int, ...], int] = {}
    for rows in results:
        counts[tuple(rows[0].tolist())] = counts.get(tuple(rows[0].tolist()), 0) + 1
    p = 1 / 6
    for perm in itertools.permutations(range(3)):
        rate = counts.get(perm, 0) / draws
        assert abs(rate - p) <= rate_tolerance(p, draws), (
            f"over {draws} calls with n_tiles=3 the first row was {list(perm)} in {rate:.0%} of them; "
            "it must be drawn uniformly from all 6 permutations"
        )


def test_jigsaw_permutations__same_generator_seed_gives_the_same_set(student):
    for offset in range(3):
        assert same_result_for_same_seed(student, "jigsaw_permutations", 300 + offset, 4, 5), (
            "two calls with generators seeded alike gave different sets: draw "
            "every random number from `generator`"
        )


@pytest.mark.parametrize("n_permutations,n_tiles", [(0, 4), (7, 3), (25, 4)])
def test_jigsaw_permutations__impossible_counts_raise_value_error(student, n_permutations, n_tiles):
    expect_error(
        lambda: student.jigsaw_permutations(n_permutations, n_tiles),
        "ValueError",
        f"n_permutations={n_permutations} with n_tiles={n_tiles} "
        f"({math.factorial(n_tiles)} permutations exist)",
    )
