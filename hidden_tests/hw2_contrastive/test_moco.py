"""Hidden tests of task `moco` (MoCo's FIFO queue of keys and its InfoNCE loss)."""

import math

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_inputs_unchanged,
    expect_error,
    generator,
    no_gradient,
    scalar,
    seed,
)

pytestmark = pytest.mark.task("moco")


def unit_rows(base: int, n: int, d: int, dtype=torch.float32) -> torch.Tensor:
    x = torch.randn(n, d, generator=generator(base), dtype=dtype)
    return x / x.norm(dim=1, keepdim=True)


def read(queue) -> tuple[torch.Tensor, int]:
    return queue.queue, int(queue.ptr)


def test_moco_queue__starts_with_normalised_rows_and_pointer_0(student):
    queue = student.MoCoQueue(6, 10)
    rows, ptr = read(queue)
    assert isinstance(rows, torch.Tensor) and rows.shape == (10, 6), ".queue should be a (size, dim) tensor"
    assert ptr == 0, ".ptr should start at 0"
    assert_close(rows.norm(dim=1), torch.ones(10), "the norms of the queue's rows at construction", rtol=1e-5)
    assert not rows.requires_grad, ".queue must not require grad"


def test_moco_queue__draws_its_initial_rows_from_the_generator(student):
    a = student.MoCoQueue(5, 8, generator=student.generator(seed(3)))
    b = student.MoCoQueue(5, 8, generator=student.generator(seed(3)))
    c = student.MoCoQueue(5, 8, generator=student.generator(seed(4)))
    assert torch.equal(a.queue, b.queue), "two queues built with equally seeded generators should be equal"
    assert not torch.equal(a.queue, c.queue), "queues built with differently seeded generators should differ"


@pytest.mark.weight(3)
def test_moco_queue__enqueue_is_fifo_and_wraps_around(student):
    size, dim = 7, 4
    queue = student.MoCoQueue(dim, size)
    expected, ptr = read(queue)
    expected = expected.clone()
    for step, b in enumerate([3, 3, 3, 7, 1, 6, 2]):
        keys = unit_rows(100 + step, b, dim)
        queue.enqueue(keys)
        rows = [(ptr + i) % size for i in range(b)]
        expected[rows] = keys
        ptr = (ptr + b) % size
        got, got_ptr = read(queue)
        assert got_ptr == ptr, f"after enqueueing batches of sizes up to #{step + 1}, .ptr is wrong"
        assert torch.equal(got, expected), (
            f"after enqueueing batch #{step + 1} ({b} keys into a queue of size {size}) the queue's rows "
            "are wrong: keys go to rows ptr, ptr+1, ... (mod size), other rows stay"
        )


def test_moco_queue__more_keys_than_rows_raise_value_error(student):
    queue = student.MoCoQueue(3, 4)
    queue.enqueue(unit_rows(5, 4, 3))  # exactly `size` keys is fine
    expect_error(lambda: queue.enqueue(unit_rows(6, 5, 3)), "ValueError", "enqueue with B > size")


def test_moco_queue__enqueued_keys_are_detached(student):
    queue = student.MoCoQueue(3, 5)
    keys = unit_rows(7, 2, 3).requires_grad_(True)
    queue.enqueue(keys)
    rows, _ = read(queue)
    assert isinstance(rows, torch.Tensor), ".queue should be a tensor"
    assert not rows.requires_grad, (
        "after enqueueing keys that require grad, .queue requires grad: store the keys detached"
    )


def oracle(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor, temperature: float) -> float:
    """Cross-entropy with the positive at index 0, one query at a time, in float64."""
    total = 0.0
    for qi, ki in zip(q.double(), k.double(), strict=False):
        qi, ki = qi / qi.norm(), ki / ki.norm()
        logits = [float(qi @ ki) / temperature] + [float(qi @ n) / temperature for n in queue.double()]
        peak = max(logits)
        total += -logits[0] + peak + math.log(sum(math.exp(v - peak) for v in logits))
    return total / q.shape[0]


def batch(base: int, b: int, d: int, k: int, dtype=torch.float64, scale: float = 1.0):
    g = generator(base)
    q = torch.randn(b, d, generator=g, dtype=dtype) * scale
    keys = (q + 0.8 * torch.randn(b, d, generator=g, dtype=dtype)) * scale
    queue = torch.randn(k, d, generator=g, dtype=dtype) * (0.5 + torch.rand(k, 1, generator=g, dtype=dtype))
    return q, keys, queue


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,d,k,temperature", [(1, 4, 3, 0.2), (6, 8, 16, 0.07), (10, 5, 32, 1.0)])
def test_moco_loss__matches_the_papers_definition_with_the_queue_as_given(student, b, d, k, temperature):
    for base in range(3):
        q, keys, queue = batch(10 * b + base, b, d, k)
        loss = scalar(student.moco_loss(q, keys, queue, temperature=temperature), "moco_loss", torch.float64)
        assert_close(
            loss,
            oracle(q, keys, queue, temperature),
            f"moco_loss with B={b}, D={d}, K={k}, temperature={temperature} (queue rows not unit)",
            rtol=1e-6,
        )


def test_moco_loss__default_temperature_is_0_2(student):
    q, keys, queue = batch(21, 5, 6, 8)
    assert_close(
        student.moco_loss(q, keys, queue),
        oracle(q, keys, queue, 0.2),
        "moco_loss without a temperature argument (default 0.2)",
        rtol=1e-6,
    )


@pytest.mark.weight(2)
def test_moco_loss__finite_and_correct_at_temperature_0_01_in_float32(student):
    q, keys, queue = batch(23, 12, 16, 64, dtype=torch.float32, scale=20.0)
    queue = queue / queue.norm(dim=1, keepdim=True)
    loss = scalar(student.moco_loss(q, keys, queue, temperature=0.01), "moco_loss", torch.float32)
    assert torch.isfinite(loss), "moco_loss overflows at temperature 0.01 in float32 (inf or nan)"
    atol = 50 * torch.finfo(torch.float32).eps / 0.01  # float32 rounding of logits of size 1/t
    assert_close(
        loss, oracle(q, keys, queue, 0.01), "moco_loss at temperature 0.01 in float32", rtol=1e-4, atol=atol
    )


@pytest.mark.weight(2)
def test_moco_loss__gradient_reaches_q_only(student):
    q, keys, queue = (t.requires_grad_(True) for t in batch(25, 5, 6, 7))
    loss, grads, _ = student.moco_loss.with_grad(q, keys, queue, 0.2)
    scalar(loss, "moco_loss")
    assert no_gradient(grads[1]), (
        "a gradient reaches k: the keys come from the momentum encoder (no gradient)"
    )
    assert no_gradient(grads[2]), "a gradient reaches the queue: it holds constants"
    ref = q.detach().clone().requires_grad_(True)
    u, v = ref / ref.norm(dim=1, keepdim=True), keys.detach() / keys.detach().norm(dim=1, keepdim=True)
    logits = torch.cat([(u * v).sum(1, keepdim=True), u @ queue.detach().T], dim=1) / 0.2
    torch.nn.functional.cross_entropy(logits, torch.zeros(5, dtype=torch.long)).backward()
    assert grads[0] is not None, "no gradient reaches q: the query encoder must be trained"
    assert_close(grads[0], ref.grad, "the gradient with respect to q", rtol=1e-5, atol=1e-9)


def test_moco_loss__does_not_modify_inputs(student):
    q, keys, queue = batch(27, 4, 5, 6)
    assert_inputs_unchanged(student, "moco_loss", q * 2, keys * 2, queue, temperature=0.2)
