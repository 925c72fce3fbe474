"""Hidden tests of task `knn` (the weighted kNN monitor of Wu et al., 2018).

Value tests compare the predicted classes and never fail on the dtype; int64 predictions (for
labels of any integer dtype) and leaving the inputs unchanged are conventions with their own small
tests, earned only with right predictions (docs/authoring.md, "Credit").
"""

import math

import pytest
import torch

from autograder.testing import assert_dtype, assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("knn")


def oracle(features, bank, labels, num_classes, k, temperature):
    """Per query: sort the bank by cosine similarity, sum exp(sim / t) per class over the top k.
    Also returns which queries are safe to grade (no near-tie in the vote or at the k-th row)."""
    predictions, safe = [], []
    bank, norms = bank.double(), bank.double().norm(dim=1)
    for f in features.double():
        cosines = (bank @ f) / (f.norm() * norms)  # one query against every bank row
        sims = list(zip(cosines.tolist(), labels.tolist(), strict=True))
        sims.sort(key=lambda sc: -sc[0])
        votes = [0.0] * num_classes
        for s, c in sims[:k]:
            votes[c] += math.exp(s / temperature)
        ranked = sorted(votes, reverse=True)
        clear_vote = ranked[0] - ranked[1] > 1e-6 * ranked[0]
        clear_cut = k >= len(sims) or sims[k - 1][0] - sims[k][0] > 1e-9
        predictions.append(max(range(num_classes), key=lambda c: votes[c]))
        safe.append(clear_vote and clear_cut)
    return torch.tensor(predictions), torch.tensor(safe)


def data(base: int, m: int, n: int, d: int, classes: int):
    g = generator(base)
    centres = torch.randn(classes, d, generator=g, dtype=torch.float64)
    labels = torch.randint(0, classes, (n,), generator=g)
    bank = centres[labels] + 0.9 * torch.randn(n, d, generator=g, dtype=torch.float64)
    bank = bank * (0.2 + 5 * torch.rand(n, 1, generator=g, dtype=torch.float64))  # rows of any norm
    features = centres[torch.randint(0, classes, (m,), generator=g)] + torch.randn(
        m, d, generator=g, dtype=torch.float64
    )
    return features, bank, labels


def right_predictions(features, bank, labels, classes, k, temperature, what):
    """A result check: the call returned the weighted vote's class for every query without a
    near-tie (compared as integers, whatever their dtype)."""

    def check(got) -> None:
        assert isinstance(got, torch.Tensor) and got.shape == (features.shape[0],), (
            f"{what}: knn_predict should return a tensor of shape (M,)"
        )
        want, safe = oracle(features, bank, labels.long(), classes, k, temperature)
        wrong = int((got.long()[safe] != want[safe]).sum())
        assert wrong == 0, f"{what}: {wrong} of {int(safe.sum())} predictions are wrong"

    return check


def check(student, features, bank, labels, classes, k, temperature, what):
    got = student.knn_predict(features, bank, labels, classes, k=k, temperature=temperature)
    right_predictions(features, bank, labels, classes, k, temperature, what)(got)
    return got


@pytest.mark.weight(3)
@pytest.mark.parametrize("k,temperature", [(1, 0.1), (5, 0.05), (20, 0.5)])
def test_knn__matches_the_weighted_vote(student, k, temperature):
    for base in range(3):
        features, bank, labels = data(10 * k + base, 30, 60, 8, 5)
        check(
            student,
            features,
            bank,
            labels,
            5,
            k,
            temperature,
            f"knn_predict with k={k}, temperature={temperature}",
        )


def test_knn__default_k_200_uses_the_whole_smaller_bank(student):
    features, bank, labels = data(3, 20, 40, 6, 4)
    check(
        student, features, bank, labels, 4, 200, 0.1, "knn_predict with k=200 > N=40 (the whole bank votes)"
    )
    got = student.knn_predict(features, bank, labels, 4)
    right_predictions(
        features, bank, labels, 4, 200, 0.1, "knn_predict with the defaults (k=200, temperature=0.1)"
    )(got)


def rows_with_cosines(g: torch.Generator, query: torch.Tensor, cosines: list[float]) -> torch.Tensor:
    """Bank rows whose cosine similarity with the unit `query` is exactly each given value."""
    rows = []
    for c in cosines:
        r = torch.randn(query.shape[0], generator=g, dtype=torch.float64)
        r = r - (r @ query) * query
        rows.append(c * query + math.sqrt(1 - c * c) * r / r.norm())
    return torch.stack(rows)


@pytest.mark.weight(2)
def test_knn__one_very_close_neighbour_outweighs_several_far_ones_at_low_temperature(student):
    g = generator(5)
    query = torch.randn(8, generator=g, dtype=torch.float64)
    query = query / query.norm()
    bank = rows_with_cosines(g, query, [0.95, 0.7, 0.69, 0.68])
    labels = torch.tensor([0, 1, 1, 1])
    low = student.knn_predict(query[None], bank, labels, 2, k=4, temperature=0.1)
    assert low.tolist() == [0], (
        "at temperature 0.1 the neighbour with similarity 0.95 should outvote "
        "three with similarities about 0.7 (weights exp(sim / t))"
    )
    high = student.knn_predict(query[None], bank, labels, 2, k=4, temperature=1.0)
    assert high.tolist() == [1], (
        "at temperature 1.0 three neighbours with similarities about 0.7 should "
        "outvote one with 0.95 (weights exp(sim / t))"
    )


@pytest.mark.weight(0.5)
def test_knn__predictions_are_int64_for_labels_of_any_integer_dtype(student):
    features, bank, labels = data(9, 12, 30, 5, 4)
    for dtype in (torch.int64, torch.int32, torch.uint8):
        what = f"knn_predict with {dtype} bank_labels"
        got = check(student, features, bank, labels.to(dtype), 4, 5, 0.1, what)
        assert_dtype(got, torch.int64, what)


@pytest.mark.weight(0.5)
def test_knn__does_not_modify_inputs(student):
    features, bank, labels = data(7, 5, 12, 4, 3)
    assert_inputs_unchanged(
        student,
        "knn_predict",
        features,
        bank,
        labels,
        3,
        k=4,
        temperature=0.1,
        result_check=right_predictions(features, bank, labels, 3, 4, 0.1, "knn_predict"),
    )
