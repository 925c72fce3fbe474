"""Public tests of task `sampler`: what `autograder check` runs on your notebook."""

import pytest

pytestmark = pytest.mark.task("sampler")


def test_public_sampler__every_index_once_within_the_budget(student):
    """every index appears once and every padded batch fits max_tokens"""
    lengths = [5, 3, 8, 2, 9, 1, 4, 7, 7, 2]
    batches = list(student.TokenBudgetSampler(lengths, 16))
    assert sorted(i for b in batches for i in b) == list(range(10)), "every index exactly once"
    assert all(len(b) * max(lengths[i] for i in b) <= 16 for b in batches), "padded budget"
