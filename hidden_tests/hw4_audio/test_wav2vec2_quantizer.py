"""Hidden tests of task `wav2vec2_quantizer` (Gumbel-softmax product quantizer and the diversity
loss, wav2vec 2.0 eq. 4).

The text fixes the training draw exactly (`torch.rand(logits.shape, generator=..., dtype=...)` once),
so a seeded student-side generator is replayed here (`generator(base)` is seeded alike) and the
codes and vectors are compared with a loop oracle. The straight-through gradient is measured in the
worker by torch's own `torch.autograd.functional.vjp` around the student's function and compared
here with the gradient of the soft `y`. The Gumbel-max rate (argmax frequencies follow softmax(l)
whatever tau) is a statistical test. Conventions (int64 codes, dtype, untouched inputs,
generator=None using torch's global generator) are small tests of their own.
"""

import math

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    assert_rate,
    draws_to_tell_apart,
    follows_the_global_generator,
    generator,
    scalar,
    seed,
    student_generator,
)

pytestmark = pytest.mark.task("wav2vec2_quantizer")

TOL = {"rtol": 1e-5, "atol": 1e-5}


def inputs(base: int, batch=2, steps=5, groups=3, entries=4, dim=2, dtype=torch.float64):
    g = generator(base)
    logits = torch.randn(batch, steps, groups * entries, generator=g, dtype=dtype)
    books = torch.randn(groups, entries, dim, generator=g, dtype=dtype)
    return logits, books


def uniforms(base: int, logits: torch.Tensor) -> torch.Tensor:
    """The draw the text prescribes, replayed from a generator seeded like the student's."""
    return torch.rand(logits.shape, generator=generator(base), dtype=logits.dtype)


def oracle(logits, books, u=None):
    """Codes and quantized vectors, group by group; `u` None means eval (argmax of the logits)."""
    groups, entries, dim = books.shape
    batch, steps, _ = logits.shape
    codes = torch.zeros(batch, steps, groups, dtype=torch.int64)
    quantized = torch.zeros(batch, steps, groups * dim, dtype=torch.float64)
    for b in range(batch):
        for t in range(steps):
            for g in range(groups):
                cols = slice(g * entries, (g + 1) * entries)
                score = logits[b, t, cols]
                if u is not None:
                    score = score - torch.log(-torch.log(u[b, t, cols]))  # same dtype as the student's
                best = max(range(entries), key=lambda v, s=score: float(s[v]))
                codes[b, t, g] = best
                quantized[b, t, g * dim : (g + 1) * dim] = books[g, best].double()
    return quantized, codes


def check_pair(out, what: str):
    assert isinstance(out, tuple | list) and len(out) == 2, f"{what} returns a pair (quantized, codes)"
    return out


def right_output(logits, books, u=None, what="gumbel_quantize"):
    want_q, want_codes = oracle(logits, books, u)

    def check(out) -> None:
        quantized, codes = check_pair(out, what)
        assert isinstance(codes, torch.Tensor), f"{what}: codes must be a tensor"
        assert_close(codes, want_codes, f"{what}: the codes")
        assert_close(quantized, want_q, f"{what}: the quantized vectors", **TOL)

    return check


def oracle_diversity(logits, groups, entries) -> float:
    rows = logits.double().reshape(-1, groups * entries)
    total = 0.0
    for g in range(groups):
        mean = [0.0] * entries
        for row in rows:
            part = row[g * entries : (g + 1) * entries].tolist()
            peak = max(part)
            e = [math.exp(x - peak) for x in part]
            for v in range(entries):
                mean[v] += e[v] / sum(e) / len(rows)
        entropy = -sum(p * math.log(p) for p in mean if p > 0)
        total += math.exp(entropy)
    return (groups * entries - total) / (groups * entries)


@pytest.mark.weight(2)
def test_gumbel_quantize__eval_is_the_argmax_of_each_group_without_noise(student):
    for s, (groups, entries) in enumerate([(3, 4), (2, 5), (1, 7)]):
        logits, books = inputs(10 + s, groups=groups, entries=entries)
        out = student.gumbel_quantize(logits, books, training=False)
        right_output(logits, books, what="gumbel_quantize(training=False)")(out)


@pytest.mark.weight(3)
@pytest.mark.parametrize("tau", [2.0, 0.5])
def test_gumbel_quantize__training_uses_the_prescribed_gumbel_draw(student, tau):
    for s, (groups, entries) in enumerate([(3, 4), (2, 6)]):
        logits, books = inputs(20 + s, groups=groups, entries=entries)
        out = student.gumbel_quantize(logits, books, tau=tau, generator=student_generator(student, 30 + s))
        right_output(logits, books, uniforms(30 + s, logits), "gumbel_quantize(training=True)")(out)


@pytest.mark.weight(2)
@pytest.mark.parametrize("tau", [2.0, 0.7])
def test_gumbel_quantize__straight_through_gradient_is_that_of_the_soft_y(student, tau):
    logits, books = inputs(40)
    weights = torch.randn(2, 5, 3 * 2, generator=generator(41), dtype=torch.float64)
    fn = student.new(
        "functools:partial",
        student.value("gumbel_quantize"),
        tau=tau,
        training=True,
        generator=student_generator(student, 42),
    )
    outputs, (grad_logits, grad_books) = student.new(
        "torch.autograd.functional:vjp",
        fn,
        (logits, books),
        (weights, torch.zeros(2, 5, 3, dtype=torch.float64)),
    )
    u = uniforms(42, logits)
    right_output(logits, books, u)(tuple(outputs))
    mine_logits, mine_books = logits.clone().requires_grad_(True), books.clone().requires_grad_(True)
    grouped = mine_logits.reshape(2, 5, 3, 4)
    y = torch.softmax((grouped - torch.log(-torch.log(u.reshape(2, 5, 3, 4)))) / tau, dim=-1)  # (B, T, G, V)
    hard = torch.nn.functional.one_hot(y.argmax(-1), 4).double()
    onehot = hard - y.detach() + y
    quantized = torch.einsum("btgv,gvd->btgd", onehot, mine_books).reshape(2, 5, 6)
    (quantized * weights).sum().backward()
    assert_close(
        grad_logits, mine_logits.grad, "the gradient with respect to the logits", rtol=1e-4, atol=1e-7
    )
    assert_close(
        grad_books, mine_books.grad, "the gradient with respect to the codebooks", rtol=1e-4, atol=1e-7
    )


@pytest.mark.weight(2)
@pytest.mark.parametrize("tau", [0.3, 5.0])
def test_gumbel_quantize__argmax_frequencies_follow_softmax_of_the_logits_whatever_tau(student, tau):
    row = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    p = float(torch.softmax(row, 0)[2])
    wrong = float(torch.softmax(row / tau, 0)[2])  # the rate when the noise is not scaled with the logits
    n = draws_to_tell_apart(p, wrong)
    logits = row.repeat(1, n, 1)  # (1, n, 3): one group, n independent frames
    books = torch.eye(3, dtype=torch.float64)[None]  # (1, 3, 3)
    quantized, codes = check_pair(
        student.gumbel_quantize(logits, books, tau=tau, generator=student_generator(student, 50)),
        "gumbel_quantize",
    )
    assert isinstance(codes, torch.Tensor) and codes.shape == (1, n, 1), "codes must have shape (B, T, G)"
    assert_rate(int((codes == 2).sum()), n, p, f"with tau={tau} the entry of largest logit")


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "shape,groups,entries", [((2, 5), 2, 4), ((3, 7), 3, 5), ((1, 1), 1, 6), ((4, 2), 2, 2)]
)
def test_diversity_loss__is_eq_4_from_the_frame_averaged_softmax(student, shape, groups, entries):
    logits = 2 * torch.randn(*shape, groups * entries, generator=generator(60 + entries), dtype=torch.float64)
    assert_close(
        scalar(student.diversity_loss(logits, groups, entries), "diversity_loss"),
        oracle_diversity(logits, groups, entries),
        f"diversity_loss with G={groups}, V={entries} on ({shape[0]}, {shape[1]}) frames",
        **TOL,
    )


def test_diversity_loss__one_entry_used_gives_1_minus_1_over_v(student):
    logits = torch.full((3, 4, 2 * 5), -30.0, dtype=torch.float64)
    logits[..., 1] = 30.0
    logits[..., 5 + 3] = 30.0
    assert_close(
        scalar(student.diversity_loss(logits, 2, 5), "diversity_loss"),
        1 - 1 / 5,
        "when every frame picks one entry per codebook the loss is 1 - 1/V",
        **TOL,
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_gumbel_quantize__codes_are_int64(student):
    logits, books = inputs(70)
    for training in (False, True):
        out = student.gumbel_quantize(
            logits, books, training=training, generator=student_generator(student, 71)
        )
        right_output(logits, books, uniforms(71, logits) if training else None)(out)
        assert_dtype(out[1], torch.int64, f"the codes (training={training})")


@pytest.mark.weight(0.5)
def test_gumbel_quantize__quantized_keeps_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        logits, books = inputs(72, dtype=dtype)
        out = student.gumbel_quantize(logits, books, generator=student_generator(student, 73))
        right_output(logits, books, uniforms(73, logits))(out)
        assert_dtype(out[0], dtype, f"the quantized vectors of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_gumbel_quantize__without_a_generator_uses_torchs_global_generator(student):
    logits, books = inputs(74, batch=4, steps=8)  # 96 draws: two calls agree on every code rarely
    student.new("torch:manual_seed", seed(75))
    right_output(logits, books, uniforms(75, logits))(student.gumbel_quantize(logits, books))

    def valid(out) -> None:  # later draws are unknown here: the vectors must match the codes
        quantized, codes = check_pair(out, "gumbel_quantize")
        assert_close(
            quantized, oracle_of_codes(books, codes), "quantized vectors of the returned codes", **TOL
        )

    reproduced, differ = follows_the_global_generator(
        student, "gumbel_quantize", 76, logits, books, result_check=valid
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the codes"
    assert differ, "with generator=None, two calls give the same codes: draw from torch's global generator"


def oracle_of_codes(books, codes) -> torch.Tensor:
    assert isinstance(codes, torch.Tensor) and codes.shape[-1] == books.shape[0], "codes must be (B, T, G)"
    return torch.cat([books[g].double()[codes[..., g].long()] for g in range(books.shape[0])], dim=-1)


@pytest.mark.weight(0.5)
def test_gumbel_quantize__does_not_modify_its_inputs(student):
    logits, books = inputs(77)
    assert_inputs_unchanged(
        student,
        "gumbel_quantize",
        logits,
        books,
        generator=student_generator(student, 78),
        result_check=right_output(logits, books, uniforms(78, logits)),
    )


@pytest.mark.weight(0.5)
def test_diversity_loss__returns_a_0d_tensor_of_the_logits_dtype(student):
    for dtype in (torch.float32, torch.float64):
        logits = torch.randn(2, 3, 8, generator=generator(79), dtype=dtype)
        loss = student.diversity_loss(logits, 2, 4)
        assert_close(scalar(loss, "diversity_loss"), oracle_diversity(logits, 2, 4), "diversity_loss", **TOL)
        assert_dtype(loss, dtype, f"diversity_loss of {dtype} logits")
