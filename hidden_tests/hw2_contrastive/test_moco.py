"""Hidden tests of task `moco` (MoCo's FIFO queue of keys and its InfoNCE loss).

Value tests compare values (in float64, with tolerances that admit float32 arithmetic) and never fail
on the dtype; the dtype, leaving the inputs unchanged, the ValueError and the generator are
conventions with their own small tests (docs/authoring.md, "Credit").
"""

import math

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    expect_error,
    generator,
    no_gradient,
    scalar,
    seed,
)

pytestmark = pytest.mark.task("moco")

EPS32 = torch.finfo(torch.float32).eps


def tolerance(temperature: float) -> dict[str, float]:
    """Admits float32 rounding: logits of size 1/t, each off by about eps/t."""
    return {"rtol": 1e-5, "atol": 50 * EPS32 / temperature}


def unit_rows(base: int, n: int, d: int, dtype=torch.float32) -> torch.Tensor:
    x = torch.randn(n, d, generator=generator(base), dtype=dtype)
    return x / x.norm(dim=1, keepdim=True)


def read(queue) -> tuple[torch.Tensor, int]:
    return queue.queue, int(queue.ptr)


def assert_fresh_queue(rows, size: int, dim: int) -> None:
    """A result check: a (size, dim) tensor of unit rows that does not require grad."""
    assert isinstance(rows, torch.Tensor) and rows.shape == (size, dim), (
        ".queue should be a (size, dim) tensor"
    )
    assert_close(
        rows.norm(dim=1), torch.ones(size), "the norms of the queue's rows at construction", rtol=1e-5
    )
    assert not rows.requires_grad, ".queue must not require grad"


def test_moco_queue__starts_with_normalised_rows_and_pointer_0(student):
    queue = student.MoCoQueue(6, 10)
    rows, ptr = read(queue)
    assert_fresh_queue(rows, 10, 6)
    assert ptr == 0, ".ptr should start at 0"


@pytest.mark.weight(0.5)
def test_moco_queue__draws_its_initial_rows_from_the_generator(student):
    a = student.MoCoQueue(5, 8, generator=student.generator(seed(3)))
    assert_fresh_queue(a.queue, 8, 5)
    student.new("torch:rand", 3)  # the worker's global generator moves on between the two queues
    b = student.MoCoQueue(5, 8, generator=student.generator(seed(3)))
    c = student.MoCoQueue(5, 8, generator=student.generator(seed(4)))
    assert torch.equal(a.queue, b.queue), "two queues built with equally seeded generators should be equal"
    assert not torch.equal(a.queue, c.queue), "queues built with differently seeded generators should differ"


@pytest.mark.weight(0.5)
def test_moco_queue__without_a_generator_draws_from_torchs_global_generator(student):
    # follows_the_global_generator, for a class: the draw is the `.queue` of the new object.
    student.new("torch:manual_seed", seed(5))
    first = student.MoCoQueue(5, 8).queue
    assert_fresh_queue(first, 8, 5)
    student.new("torch:manual_seed", seed(5))
    again = student.MoCoQueue(5, 8).queue
    following = student.MoCoQueue(5, 8).queue
    assert_fresh_queue(following, 8, 5)
    assert torch.equal(first, again), (
        "with generator=None, re-seeding torch's global generator should reproduce the initial queue"
    )
    assert not torch.equal(again, following), (
        "two queues built with generator=None are equal: draw from torch's global generator, not a fresh one"
    )


def replay(student, size: int, dim: int, batches: list[int], base: int) -> None:
    """Enqueue batches of the given sizes and compare the queue and the pointer after each with a
    FIFO written here."""
    queue = student.MoCoQueue(dim, size)
    expected, ptr = read(queue)
    expected = expected.clone()
    for step, b in enumerate(batches):
        keys = unit_rows(base + step, b, dim)
        queue.enqueue(keys)
        rows = [(ptr + i) % size for i in range(b)]
        expected[rows] = keys
        ptr = (ptr + b) % size
        got, got_ptr = read(queue)
        sizes = ", ".join(map(str, batches[: step + 1]))
        assert got_ptr == ptr, (
            f"after enqueueing batches of {sizes} keys into a queue of size {size}, .ptr is wrong"
        )
        assert torch.equal(got, expected), (
            f"after enqueueing batches of {sizes} keys into a queue of size {size} the queue's rows "
            "are wrong: keys go to rows ptr, ptr+1, ... (mod size), other rows stay"
        )


@pytest.mark.weight(3)
def test_moco_queue__enqueue_is_fifo_and_wraps_around(student):
    replay(student, 7, 4, [3, 3, 3, 7, 1, 6, 2], base=100)


@pytest.mark.weight(2)
def test_moco_queue__a_batch_that_exactly_fills_the_queue_moves_the_pointer_to_0(student):
    # ptr + B == size exactly: from the middle (2 + 4), from 0 with B = size, and after a wrap (2 + 4).
    replay(student, 6, 3, [2, 4, 6, 3, 5, 4, 3], base=200)


@pytest.mark.weight(0.5)
def test_moco_queue__more_keys_than_rows_raise_value_error(student):
    queue = student.MoCoQueue(3, 4)

    def exactly_size_keys() -> None:
        keys = unit_rows(5, 4, 3)
        queue.enqueue(keys)  # exactly `size` keys is fine
        rows, ptr = read(queue)
        assert_close(rows, keys, "the queue after enqueueing exactly `size` keys", rtol=0, atol=0)
        assert ptr == 0, "after enqueueing exactly `size` keys into an empty queue, .ptr should be 0"

    expect_error(
        lambda: queue.enqueue(unit_rows(6, 5, 3)),
        "ValueError",
        "enqueue with B > size",
        valid=exactly_size_keys,
    )


def test_moco_queue__enqueued_keys_are_detached(student):
    queue = student.MoCoQueue(3, 5)
    keys = unit_rows(7, 2, 3).requires_grad_(True)
    queue.enqueue(keys)
    rows, ptr = read(queue)
    assert isinstance(rows, torch.Tensor), ".queue should be a tensor"
    assert_close(rows[:2], keys.detach(), "the enqueued keys (rows 0 and 1)")
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


def right_loss(q, keys, queue, temperature: float):
    """A result check: the call returned MoCo's loss for these inputs."""

    def check(loss) -> None:
        assert_close(
            scalar(loss, "moco_loss"),
            oracle(q, keys, queue, temperature),
            "moco_loss",
            **tolerance(temperature),
        )

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize("b,d,k,temperature", [(1, 4, 3, 0.2), (6, 8, 16, 0.07), (10, 5, 32, 1.0)])
def test_moco_loss__matches_the_papers_definition_with_the_queue_as_given(student, b, d, k, temperature):
    for base in range(3):
        q, keys, queue = batch(10 * b + base, b, d, k)
        loss = scalar(student.moco_loss(q, keys, queue, temperature=temperature), "moco_loss")
        assert_close(
            loss,
            oracle(q, keys, queue, temperature),
            f"moco_loss with B={b}, D={d}, K={k}, temperature={temperature} (queue rows not unit)",
            **tolerance(temperature),
        )


def test_moco_loss__default_temperature_is_0_2(student):
    q, keys, queue = batch(21, 5, 6, 8)
    assert_close(
        student.moco_loss(q, keys, queue),
        oracle(q, keys, queue, 0.2),
        "moco_loss without a temperature argument (default 0.2)",
        **tolerance(0.2),
    )


@pytest.mark.weight(2)
def test_moco_loss__finite_and_correct_at_temperature_0_01_in_float32(student):
    q, keys, queue = batch(23, 12, 16, 64, dtype=torch.float32, scale=20.0)
    queue = queue / queue.norm(dim=1, keepdim=True)
    loss = scalar(student.moco_loss(q, keys, queue, temperature=0.01), "moco_loss")
    assert torch.isfinite(loss), "moco_loss overflows at temperature 0.01 in float32 (inf or nan)"
    assert_close(
        loss, oracle(q, keys, queue, 0.01), "moco_loss at temperature 0.01 in float32", **tolerance(0.01)
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
    assert_close(grads[0], ref.grad, "the gradient with respect to q", rtol=1e-4, atol=1e-6)


@pytest.mark.weight(0.5)
def test_moco_loss__returns_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        q, keys, queue = batch(29, 4, 5, 6, dtype=dtype)
        loss = student.moco_loss(q, keys, queue, temperature=0.2)
        right_loss(q, keys, queue, 0.2)(loss)
        assert_dtype(loss, dtype, f"moco_loss of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_moco_loss__does_not_modify_inputs(student):
    q, keys, queue = batch(27, 4, 5, 6)
    assert_inputs_unchanged(
        student,
        "moco_loss",
        q * 2,
        keys * 2,
        queue,
        temperature=0.2,
        result_check=right_loss(q, keys, queue, 0.2),
    )
