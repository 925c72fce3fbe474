"""Hidden tests of task `sinkhorn` (SwAV's Sinkhorn-Knopp codes).

Value tests compare values (in float64, with tolerances that admit float32 arithmetic); leaving the
input unchanged is a convention with its own small test, earned only with right codes
(docs/authoring.md, "Credit").
"""

import pytest
import torch

from autograder.testing import assert_close, assert_inputs_unchanged, generator

TOLERANCE = {"rtol": 1e-5, "atol": 1e-7}  # float32 arithmetic over a few iterations

pytestmark = pytest.mark.task("sinkhorn")


def oracle(scores: torch.Tensor, epsilon: float, n_iters: int) -> torch.Tensor:
    """SwAV's Algorithm 1 in float64: columns to equal mass, then rows, n_iters times; B * Q."""
    q = torch.exp(scores.double() / epsilon)
    b, k = q.shape
    q = q / q.sum()
    for _ in range(n_iters):
        for j in range(k):
            q[:, j] = q[:, j] / q[:, j].sum() / k
        for i in range(b):
            q[i, :] = q[i, :] / q[i, :].sum() / b
    return q * b


def cosine_scores(base: int, b: int, k: int, dtype=torch.float64) -> torch.Tensor:
    """Scores of B samples against K prototypes: cosine similarities, as in SwAV."""
    g = generator(base)
    x = torch.randn(b, 16, generator=g, dtype=dtype)
    c = torch.randn(k, 16, generator=g, dtype=dtype)
    return (x / x.norm(dim=1, keepdim=True)) @ (c / c.norm(dim=1, keepdim=True)).T


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,k,epsilon,n_iters", [(8, 3, 0.05, 3), (20, 7, 0.1, 1), (5, 12, 0.5, 10)])
def test_sinkhorn__matches_swavs_algorithm(student, b, k, epsilon, n_iters):
    for base in range(3):
        scores = cosine_scores(100 * b + base, b, k)
        codes = student.sinkhorn(scores, epsilon=epsilon, n_iters=n_iters)
        assert_close(
            codes,
            oracle(scores, epsilon, n_iters),
            f"sinkhorn codes for B={b}, K={k}, epsilon={epsilon}, n_iters={n_iters}",
            **TOLERANCE,
        )


def test_sinkhorn__defaults_are_epsilon_0_05_and_3_iterations(student):
    scores = cosine_scores(7, 16, 5)
    assert_close(
        student.sinkhorn(scores),
        oracle(scores, 0.05, 3),
        "sinkhorn with default arguments",
        **TOLERANCE,
    )


def test_sinkhorn__rows_sum_to_1_and_columns_to_b_over_k_after_many_iterations(student):
    scores = cosine_scores(9, 30, 6, dtype=torch.float32)
    codes = student.sinkhorn(scores, epsilon=0.05, n_iters=3)
    assert_close(codes.sum(dim=1), torch.ones(30), "row sums of the codes (each should be 1)", rtol=1e-4)
    balanced = student.sinkhorn(scores, epsilon=0.05, n_iters=200)
    assert_close(
        balanced.sum(dim=0),
        torch.full((6,), 30 / 6),
        "column sums after 200 iterations (equipartition: each about B/K)",
        rtol=1e-3,
    )
    assert bool((codes >= 0).all()), "codes must be non-negative"


def right_codes(scores: torch.Tensor, epsilon: float, n_iters: int):
    """A result check: the call returned SwAV's codes for these scores."""

    def check(codes) -> None:
        assert_close(codes, oracle(scores.detach(), epsilon, n_iters), "sinkhorn codes", **TOLERANCE)

    return check


def test_sinkhorn__records_no_autograd_graph(student):
    scores = cosine_scores(11, 6, 4).requires_grad_(True)
    codes = student.sinkhorn(scores)
    assert isinstance(codes, torch.Tensor), "sinkhorn should return a tensor"
    right_codes(scores, 0.05, 3)(codes)
    assert not codes.requires_grad, (
        "the codes require grad: they are targets, compute them without an autograd graph"
    )


@pytest.mark.weight(0.5)
def test_sinkhorn__does_not_modify_inputs(student):
    scores = cosine_scores(13, 6, 4)
    assert_inputs_unchanged(
        student, "sinkhorn", scores, epsilon=0.05, n_iters=3, result_check=right_codes(scores, 0.05, 3)
    )
