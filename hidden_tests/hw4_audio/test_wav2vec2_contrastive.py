"""Hidden tests of task `wav2vec2_contrastive` (span masking and the contrastive loss, wav2vec 2.0
section 3.1 and eq. 2-3).

span_mask is random with no prescribed draw, so its tests are statistical: int(p T) distinct starts
(exact counts with M = 1), a single start uniform over all T steps (spans cut at the end), and the
rate at which two spans neither overlap nor are cut, computed exactly by enumeration.

The loss is checked on inputs where the draws cannot matter when the distractors come from the
right set (two masked steps per sequence; or every masked step of a sequence holding the same
vector) while a draw from an unmasked step, the step itself or another sequence changes the loss;
then a probe whose loss reveals how many distractors were of one kind measures the uniform draw
with replacement. Conventions (bool mask, dtype, untouched inputs, generator semantics) are small
tests of their own.
"""

import itertools
import math

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    assert_rate,
    call_many,
    draws_to_tell_apart,
    follows_the_global_generator,
    generator,
    rate_tolerance,
    same_result_for_same_seed,
    scalar,
    student_generator,
)

pytestmark = pytest.mark.task("wav2vec2_contrastive")

TOL = {"rtol": 1e-5, "atol": 1e-5}


# --- span_mask ------------------------------------------------------------------------------------


def as_mask(out, batch: int, steps: int) -> torch.Tensor:
    assert isinstance(out, torch.Tensor) and out.shape == (batch, steps), (
        "span_mask returns a (batch, T) tensor"
    )
    assert ((out == 0) | (out == 1)).all(), "span_mask returns True/False values"
    return out.bool()


def spans(student, batch, steps, p, m, base):
    out = student.span_mask(batch, steps, p=p, M=m, generator=student_generator(student, base))
    return as_mask(out, batch, steps)


def right_count(batch, steps, p):
    """A result check with M = 1: every row has exactly int(p T) masked steps."""

    def check(out) -> None:
        mask = as_mask(out, batch, steps)
        assert (mask.sum(1) == int(p * steps)).all(), "with M = 1 a row must have int(p * T) masked steps"

    return check


@pytest.mark.weight(2)
@pytest.mark.parametrize("steps,p", [(90, 0.065), (50, 0.065), (100, 0.065), (40, 0.2)])
def test_span_mask__chooses_int_p_t_distinct_starts_per_sequence(student, steps, p):
    mask = spans(student, 200, steps, p, 1, steps)
    counts = mask.sum(1)
    assert (counts == int(p * steps)).all(), (
        f"with M = 1, T = {steps}, p = {p}: each sequence needs int(p * T) distinct masked starts"
    )


@pytest.mark.weight(2)
@pytest.mark.parametrize("steps,m", [(12, 6), (11, 4)])
def test_span_mask__a_start_is_uniform_over_all_t_steps_and_cut_at_the_end(student, steps, m):
    p = 1.5 / steps  # int(p T) = 1: one span per row, its start is the row's first masked step
    # the nearest mistake, starts only where the span fits, never starts in the last M - 1 steps
    n = draws_to_tell_apart(1 / steps, 0)
    mask = spans(student, n, steps, p, m, 80 + steps)
    counts = [0] * steps
    for row in mask:
        where = row.nonzero().flatten()
        assert len(where) > 0, "a sequence has no masked step"
        start = int(where[0])
        assert torch.equal(where, torch.arange(start, min(start + m, steps))), (
            "a span masks its start and the M - 1 steps after it, cut at the end of the sequence"
        )
        counts[start] += 1
    for t, c in enumerate(counts):
        assert abs(c / n - 1 / steps) <= rate_tolerance(1 / steps, n), (
            f"a span started at step {t} of {steps} in {c} of {n} sequences; "
            "every step should be equally likely"
        )


@pytest.mark.weight(2)
def test_span_mask__spans_may_overlap(student):
    steps, m, p = 30, 5, 0.07  # int(p T) = 2 distinct starts
    pairs = list(itertools.combinations(range(steps), 2))
    covered = [len(set(range(a, min(a + m, steps))) | set(range(b, min(b + m, steps)))) for a, b in pairs]
    rate = sum(c == 2 * m for c in covered) / len(pairs)  # neither overlapping nor cut
    apart = [c for (a, b), c in zip(pairs, covered, strict=True) if b - a >= m]
    wrong = sum(c == 2 * m for c in apart) / len(apart)  # the rate if spans could not overlap
    n = draws_to_tell_apart(rate, wrong)
    mask = spans(student, n, steps, p, m, 90)
    assert_rate(
        int((mask.sum(1) == 2 * m).sum()),
        n,
        rate,
        "two spans of M steps covering 2M steps (no overlap, no cut)",
    )


# --- wav2vec2_contrastive_loss --------------------------------------------------------------------


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(a.double() @ b.double() / (a.double().norm() * b.double().norm()))


def oracle(context, quantized, mask, num_negatives, temperature, distractor_of):
    """Mean over masked steps when step t's distractors are all step `distractor_of(b, t)`,
    or (None) when every candidate scores the same as the positive."""
    losses = []
    for b in range(mask.shape[0]):
        for t in mask[b].nonzero().flatten().tolist():
            other = distractor_of(b, t)
            pos = cosine(context[b, t], quantized[b, t]) / temperature
            neg = pos if other is None else cosine(context[b, t], quantized[b, other]) / temperature
            losses.append(-pos + math.log(math.exp(pos) + num_negatives * math.exp(neg)))
    return sum(losses) / len(losses)


def paired(base: int, batch=3, steps=10, dim=6, dtype=torch.float64):
    """Every sequence has exactly two masked steps: each one's distractors are all the other."""
    g = generator(base)
    context = torch.randn(batch, steps, dim, generator=g, dtype=dtype)
    quantized = torch.randn(batch, steps, dim, generator=g, dtype=dtype)
    mask = torch.zeros(batch, steps, dtype=torch.bool)
    partners = {}
    for b in range(batch):
        t0, t1 = torch.randperm(steps, generator=g)[:2].tolist()
        mask[b, [t0, t1]] = True
        partners[(b, t0)], partners[(b, t1)] = t1, t0
    return context, quantized, mask, lambda b, t: partners[(b, t)]


def right_paired_loss(base, num_negatives, temperature, dtype=torch.float64):
    context, quantized, mask, partner = paired(base, dtype=dtype)
    want = oracle(context, quantized, mask, num_negatives, temperature, partner)

    def check(loss) -> None:
        assert_close(scalar(loss, "wav2vec2_contrastive_loss"), want, "wav2vec2_contrastive_loss", **TOL)

    return (context, quantized, mask), check


@pytest.mark.weight(2)
@pytest.mark.parametrize("masked", [3, 5])
def test_contrastive_loss__never_the_step_itself_among_many_masked_steps(student, masked):
    """Orthogonal latents: every allowed distractor has similarity 0 and the positive 1, so the loss
    is exactly log(1 + K e^(-1/temperature)) whichever distractors are drawn, and larger as soon as
    one of them is the step itself."""
    k, temperature, dim = 20, 0.1, 8
    basis = torch.eye(dim, dtype=torch.float64)
    steps = torch.tensor([0, 2, 3, 5, 6])[:masked]
    context = torch.zeros(2, 7, dim, dtype=torch.float64)
    context[:, steps] = basis[: len(steps)]
    quantized = context.clone()
    quantized[:, [1, 4]] = basis[-1]  # unmasked steps, never drawn
    mask = torch.zeros(2, 7, dtype=torch.bool)
    mask[:, steps] = True
    loss = student.wav2vec2_contrastive_loss(
        context,
        quantized,
        mask,
        num_negatives=k,
        temperature=temperature,
        generator=student_generator(student, 7),
    )
    assert_close(
        scalar(loss, "wav2vec2_contrastive_loss"),
        math.log1p(k * math.exp(-1 / temperature)),
        f"wav2vec2_contrastive_loss with {masked} masked steps per sequence whose latents are orthogonal "
        "(a distractor is never the step itself)",
        **TOL,
    )


@pytest.mark.weight(3)
@pytest.mark.parametrize("num_negatives,temperature", [(20, 0.1), (30, 0.5), (25, 1.0)])
def test_contrastive_loss__distractors_only_from_the_other_masked_steps_of_the_sequence(
    student, num_negatives, temperature
):
    for s in range(2):
        context, quantized, mask, partner = paired(100 * num_negatives + s)
        loss = student.wav2vec2_contrastive_loss(
            context,
            quantized,
            mask,
            num_negatives=num_negatives,
            temperature=temperature,
            generator=student_generator(student, s),
        )
        assert_close(
            scalar(loss, "wav2vec2_contrastive_loss"),
            oracle(context, quantized, mask, num_negatives, temperature, partner),
            f"wav2vec2_contrastive_loss with two masked steps per sequence, K={num_negatives}, "
            f"temperature={temperature} (cosine similarity; distractors never unmasked, never the "
            "step itself, never from another sequence)",
            **TOL,
        )


def test_contrastive_loss__defaults_are_100_negatives_and_temperature_0_1(student):
    (context, quantized, mask), check = right_paired_loss(7, 100, 0.1)
    check(student.wav2vec2_contrastive_loss(context, quantized, mask))


@pytest.mark.weight(2)
def test_contrastive_loss__is_the_mean_over_all_masked_steps_of_all_sequences(student):
    g = generator(8)
    context = torch.randn(2, 12, 5, generator=g, dtype=torch.float64)
    quantized = torch.randn(2, 12, 5, generator=g, dtype=torch.float64)
    mask = torch.zeros(2, 12, dtype=torch.bool)
    mask[0, [3, 9]] = True  # two masked steps: each is the other's only distractor
    mask[1, [1, 2, 6, 7, 11]] = True  # five masked steps holding one vector: every candidate ties
    quantized[1, mask[1]] = torch.randn(5, generator=g, dtype=torch.float64)
    want = oracle(context, quantized, mask, 15, 0.2, lambda b, t: {3: 9, 9: 3}[t] if b == 0 else None)
    loss = student.wav2vec2_contrastive_loss(
        context, quantized, mask, num_negatives=15, temperature=0.2, generator=student_generator(student, 9)
    )
    assert_close(
        scalar(loss, "wav2vec2_contrastive_loss"),
        want,
        "wav2vec2_contrastive_loss with 2 and 5 masked steps: the mean over all 7 masked steps",
        **TOL,
    )


def probe():
    """One sequence, masked steps 0 (q = u, c = u), 1 (q = u, c = w), 2 (q = v, c = w) and three
    unmasked steps (q = v): at temperature 1 only step 0's loss depends on the draws, through the
    number n_u of its distractors that are step 1."""
    u, v, w = torch.eye(3, dtype=torch.float64)
    context = torch.stack([u, w, w, w, w, w])[None]
    quantized = torch.stack([u, u, v, v, v, v])[None]
    mask = torch.tensor([[True, True, True, False, False, False]])
    return context, quantized, mask


def distractors_of_step_1(loss, k: int) -> float:
    """n_u from the mean loss (steps 1 and 2 each cost log(1 + K))."""
    step0 = 3 * float(scalar(loss, "wav2vec2_contrastive_loss")) - 2 * math.log(1 + k)
    return (math.exp(step0 + 1) - math.e - k) / (math.e - 1)


@pytest.mark.weight(2)
def test_contrastive_loss__distractors_are_uniform_with_replacement(student):
    context, quantized, mask = probe()
    k = 2  # n_u ~ Binomial(2, 1/2): none with probability 1/4 (1/9 if the step itself may be drawn)
    n = draws_to_tell_apart(1 / 4, 1 / 9)
    losses = call_many(
        student,
        "wav2vec2_contrastive_loss",
        n,
        context,
        quantized,
        mask,
        num_negatives=k,
        temperature=1.0,
        generator=student_generator(student, 10),
    )
    counts = [distractors_of_step_1(loss, k) for loss in losses]
    for c in counts:
        assert abs(c - round(c)) < 1e-4 and 0 <= round(c) <= k, (
            "the loss is not that of num_negatives distractors drawn among the other masked steps"
        )
    assert_rate(
        sum(round(c) == 0 for c in counts), n, 1 / 4, "no distractor of one kind among 2 (with replacement)"
    )


def random_case(base: int):
    g = generator(base)
    context = torch.randn(1, 16, 4, generator=g, dtype=torch.float64)
    quantized = torch.randn(1, 16, 4, generator=g, dtype=torch.float64)
    mask = torch.zeros(1, 16, dtype=torch.bool)
    mask[0, 2:12] = True
    return context, quantized, mask


def within_bounds(context, quantized, mask, k, temperature):
    """A check of a random draw: each step's loss lies between all-nearest and all-farthest distractors."""
    steps = mask[0].nonzero().flatten().tolist()
    low = high = 0.0
    for t in steps:
        pos = cosine(context[0, t], quantized[0, t]) / temperature
        sims = [cosine(context[0, t], quantized[0, o]) / temperature for o in steps if o != t]
        low += -pos + math.log(math.exp(pos) + k * math.exp(min(sims)))
        high += -pos + math.log(math.exp(pos) + k * math.exp(max(sims)))

    def check(loss) -> None:
        value = float(scalar(loss, "wav2vec2_contrastive_loss"))
        assert math.isfinite(value) and low / len(steps) - 1e-6 <= value <= high / len(steps) + 1e-6, (
            "wav2vec2_contrastive_loss: the value is not that of distractors from the other masked steps"
        )

    return check


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_span_mask__returns_a_bool_tensor(student):
    out = student.span_mask(50, 40, p=0.2, M=1, generator=student_generator(student, 11))
    right_count(50, 40, 0.2)(out)
    assert_dtype(out, torch.bool, "span_mask")


@pytest.mark.weight(0.5)
def test_span_mask__the_generator_decides_every_draw(student):
    assert same_result_for_same_seed(
        student, "span_mask", 12, 4, 1000, 0.01, 1, result_check=right_count(4, 1000, 0.01)
    ), "two calls with equally seeded generators differ: draw every random number from `generator`"
    a = spans(student, 4, 1000, 0.01, 1, 13)
    b = spans(student, 4, 1000, 0.01, 1, 14)
    right_count(4, 1000, 0.01)(a)
    assert not torch.equal(a, b), "differently seeded generators give the same mask: is `generator` used?"


@pytest.mark.weight(0.5)
def test_span_mask__without_a_generator_uses_torchs_global_generator(student):
    reproduced, differ = follows_the_global_generator(
        student, "span_mask", 15, 4, 1000, 0.01, 1, result_check=right_count(4, 1000, 0.01)
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the mask"
    assert differ, "with generator=None, two calls give the same mask: draw from torch's global generator"


@pytest.mark.weight(0.5)
def test_contrastive_loss__the_generator_decides_every_draw(student):
    context, quantized, mask = random_case(16)
    check = within_bounds(context, quantized, mask, 5, 0.5)
    assert same_result_for_same_seed(
        student, "wav2vec2_contrastive_loss", 17, context, quantized, mask, 5, 0.5, result_check=check
    ), "two calls with equally seeded generators differ: draw every random number from `generator`"


@pytest.mark.weight(0.5)
def test_contrastive_loss__without_a_generator_uses_torchs_global_generator(student):
    context, quantized, mask = random_case(18)
    reproduced, differ = follows_the_global_generator(
        student,
        "wav2vec2_contrastive_loss",
        19,
        context,
        quantized,
        mask,
        5,
        0.5,
        result_check=within_bounds(context, quantized, mask, 5, 0.5),
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the loss"
    assert differ, "with generator=None, two calls give the same loss: draw from torch's global generator"


@pytest.mark.weight(0.5)
def test_contrastive_loss__returns_a_0d_tensor_of_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        (context, quantized, mask), check = right_paired_loss(20, 10, 0.5, dtype=dtype)
        loss = student.wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=10, temperature=0.5)
        check(loss)
        assert_dtype(loss, dtype, f"wav2vec2_contrastive_loss of {dtype} inputs")


@pytest.mark.weight(0.5)
def test_contrastive_loss__does_not_modify_its_inputs(student):
    (context, quantized, mask), check = right_paired_loss(21, 10, 0.5)
    assert_inputs_unchanged(
        student,
        "wav2vec2_contrastive_loss",
        context,
        quantized,
        mask,
        num_negatives=10,
        temperature=0.5,
        result_check=check,
    )
