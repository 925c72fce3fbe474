"""Per-test shares of a task's points add up to the points exactly (Gradescope sums them)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grade.scoring import UNITS, split_points


@settings(derandomize=True, database=None)
@given(
    st.integers(1, 200).map(lambda quarters: quarters / 4),
    st.lists(st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0]), min_size=1, max_size=40),
)
def test_split_points__adds_up_exactly_and_follows_the_weights(points, weights):
    units = split_points(points, weights)
    assert sum(units) == round(points * UNITS)
    assert abs(sum(u / UNITS for u in units) - points) < 1e-9
    for u, w in zip(units, weights, strict=True):
        assert abs(u - points * UNITS * w / sum(weights)) < 1  # within one unit of its exact share


def test_split_points__three_equal_tests_of_three_points_sum_to_three():
    assert split_points(3, [1, 1, 1]) == [10_000, 10_000, 10_000]
    assert sorted(split_points(1, [1, 1, 1])) == [3333, 3333, 3334]
