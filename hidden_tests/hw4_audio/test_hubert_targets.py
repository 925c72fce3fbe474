"""Hidden tests of task `hubert_targets` (k-means targets and HuBERT's masked prediction loss):
loop oracles for the nearest centroid (ties to the lowest index), the cluster means (an empty
cluster keeps its centroid) and the cross-entropy over masked frames only; then the conventions,
each its own small test: int64 assignments, the dtype, untouched inputs (kmeans_update returns a
new tensor).
"""

import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator, scalar

pytestmark = pytest.mark.task("hubert_targets")

TOL = {"rtol": 1e-5, "atol": 1e-5}


def assign_oracle(features, centroids) -> torch.Tensor:
    out = []
    for x in features.double():
        d = [float(((x - c.double()) ** 2).sum()) for c in centroids]
        out.append(min(range(len(d)), key=lambda k, d=d: (d[k], k)))
    return torch.tensor(out, dtype=torch.int64)


def update_oracle(features, assignments, centroids) -> torch.Tensor:
    new = centroids.double().clone()
    for k in range(len(centroids)):
        members = [features[i].double() for i in range(len(features)) if int(assignments[i]) == k]
        if members:
            new[k] = sum(members) / len(members)
    return new


def loss_oracle(logits, targets, mask) -> float:
    losses = []
    for b in range(mask.shape[0]):
        for t in range(mask.shape[1]):
            if mask[b, t]:
                row = logits[b, t].double().tolist()
                peak = max(row)
                losses.append(peak + math.log(sum(math.exp(v - peak) for v in row)) - row[int(targets[b, t])])
    return sum(losses) / len(losses)


def clustered(base: int, n=40, k=5, dim=3, dtype=torch.float64):
    """Features around k centres (no near ties) and centroids near those centres."""
    g = generator(base)
    centres = 4 * torch.randn(k, dim, generator=g, dtype=torch.float64)
    which = torch.randint(k, (n,), generator=g)
    features = (centres[which] + torch.randn(n, dim, generator=g, dtype=torch.float64)).to(dtype)
    centroids = (centres + 0.5 * torch.randn(k, dim, generator=g, dtype=torch.float64)).to(dtype)
    return features, centroids


def right_assignments(features, centroids):
    want = assign_oracle(features, centroids)

    def check(out) -> None:
        assert_close(out, want, "kmeans_assign: the nearest centroids")

    return check


def right_update(features, assignments, centroids):
    want = update_oracle(features, assignments, centroids)

    def check(out) -> None:
        assert_close(out, want, "kmeans_update: the new centroids", **TOL)

    return check


@pytest.mark.weight(2)
@pytest.mark.parametrize("n,k,dim", [(40, 5, 3), (7, 3, 1), (60, 8, 16)])
def test_kmeans_assign__picks_the_nearest_centroid_in_euclidean_distance(student, n, k, dim):
    for s in range(2):
        g = generator(10 * n + s)
        features = torch.randn(n, dim, generator=g, dtype=torch.float64)
        centroids = torch.randn(k, dim, generator=g, dtype=torch.float64) * torch.rand(k, 1, generator=g)
        right_assignments(features, centroids)(student.kmeans_assign(features, centroids))


def test_kmeans_assign__a_tie_goes_to_the_lowest_index(student):
    centroids = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 5.0], [1.0, 0.0]], dtype=torch.float64)
    features = torch.tensor(
        [[0.0, 0.5], [0.0, -2.0], [1.0, 0.0], [2.0, 0.0], [-3.0, 1.0]], dtype=torch.float64
    )
    right_assignments(features, centroids)(student.kmeans_assign(features, centroids))


@pytest.mark.weight(2)
@pytest.mark.parametrize("n,k,dim", [(40, 5, 3), (9, 4, 2), (60, 8, 16)])
def test_kmeans_update__each_centroid_becomes_the_mean_of_its_features(student, n, k, dim):
    features, centroids = clustered(n, n, k, dim)
    assignments = torch.randint(k, (n,), generator=generator(n + 1))
    assignments[:k] = torch.arange(k)  # every cluster has a member
    right_update(features, assignments, centroids)(student.kmeans_update(features, assignments, centroids))


def test_kmeans_update__an_empty_cluster_keeps_its_centroid(student):
    features, centroids = clustered(3, 20, 5, 3)
    assignments = torch.randint(3, (20,), generator=generator(4)) * 2  # clusters 1 and 3 empty
    right_update(features, assignments, centroids)(student.kmeans_update(features, assignments, centroids))


@pytest.mark.weight(2)
@pytest.mark.parametrize("batch,steps,k", [(2, 6, 4), (3, 10, 7), (1, 5, 3)])
def test_hubert_loss__is_the_cross_entropy_over_masked_frames_only(student, batch, steps, k):
    g = generator(batch * steps)
    logits = 3 * torch.randn(batch, steps, k, generator=g, dtype=torch.float64)
    targets = torch.randint(k, (batch, steps), generator=g)
    mask = torch.rand(batch, steps, generator=g) < 0.4
    mask[0, 0] = True
    mask[-1, -1] = False
    assert_close(
        scalar(student.hubert_loss(logits, targets, mask), "hubert_loss"),
        loss_oracle(logits, targets, mask),
        f"hubert_loss on ({batch}, {steps}) frames with {int(mask.sum())} masked",
        **TOL,
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_kmeans_assign__returns_int64(student):
    for dtype in (torch.float32, torch.float64):
        features, centroids = clustered(5, dtype=dtype)
        out = student.kmeans_assign(features, centroids)
        right_assignments(features, centroids)(out)
        assert_dtype(out, torch.int64, f"kmeans_assign of {dtype} features")


@pytest.mark.weight(0.5)
def test_kmeans_update__keeps_the_dtype(student):
    for dtype in (torch.float32, torch.float64):
        features, centroids = clustered(6, dtype=dtype)
        assignments = assign_oracle(features, centroids)
        out = student.kmeans_update(features, assignments, centroids)
        right_update(features, assignments, centroids)(out)
        assert_dtype(out, dtype, f"kmeans_update of {dtype} features")


@pytest.mark.weight(0.5)
def test_kmeans_update__returns_a_new_tensor_and_leaves_its_inputs(student):
    features, centroids = clustered(7, 20, 5, 3)
    assignments = torch.randint(3, (20,), generator=generator(8)) * 2  # clusters 1 and 3 empty
    assert_inputs_unchanged(
        student,
        "kmeans_update",
        features,
        assignments,
        centroids,
        result_check=right_update(features, assignments, centroids),
    )


@pytest.mark.weight(0.5)
def test_hubert_loss__returns_a_0d_tensor_of_the_logits_dtype(student):
    for dtype in (torch.float32, torch.float64):
        g = generator(9)
        logits = torch.randn(2, 5, 3, generator=g, dtype=dtype)
        targets = torch.randint(3, (2, 5), generator=g)
        mask = torch.tensor([[True, False, True, False, False], [False, True, True, True, False]])
        loss = student.hubert_loss(logits, targets, mask)
        assert_close(scalar(loss, "hubert_loss"), loss_oracle(logits, targets, mask), "hubert_loss", **TOL)
        assert_dtype(loss, dtype, f"hubert_loss of {dtype} logits")
