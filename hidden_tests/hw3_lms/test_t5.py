"""Hidden tests of task `t5` (T5's span corruption): exact noise and span counts, sentinel ids,
reconstruction, maximal spans, random lengths, EOS, the generator; then the conventions, each its own
small test: the dtype, the ValueError for short inputs, generator=None (torch's global generator),
untouched inputs."""

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_inputs_unchanged,
    call_many,
    expect_error,
    follows_the_global_generator,
    generator,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("t5")

VOCAB = 1000
EOS = 1
CONTENT_MAX = VOCAB - 200  # content ids stay below every sentinel a test can produce


def tokens(base: int, length: int) -> torch.Tensor:
    return torch.randint(5, CONTENT_MAX, (length,), generator=generator(base))  # (T,)


def parse(ids: torch.Tensor, result) -> list[torch.Tensor]:
    """Check the layout of (inputs, targets) and return the noise spans in order."""
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        "t5_span_corruption returns (inputs, targets)"
    )
    inputs, targets = result
    for name, t in (("inputs", inputs), ("targets", targets)):
        assert isinstance(t, torch.Tensor) and t.dim() == 1, f"{name} must be a 1-d tensor"
        assert len(t) > 0 and int(t[-1]) == EOS, f"{name} must end with EOS"
    body_in, body_t = inputs[:-1], targets[:-1]
    is_sentinel_in = body_in >= CONTENT_MAX
    k = int(is_sentinel_in.sum())
    assert k > 0, "the inputs contain no sentinel"
    assert torch.equal(body_in[is_sentinel_in], VOCAB - 1 - torch.arange(k)), (
        "the sentinels in inputs must be vocab_size - 1, vocab_size - 2, ... in order "
        "(sentinel k = vocab_size - 1 - k)"
    )
    where = (body_t >= CONTENT_MAX).nonzero().flatten().tolist()
    assert where and where[0] == 0, "targets must start with sentinel 0"
    assert len(where) in (k, k + 1), (
        "targets must hold one sentinel per span of the inputs (plus at most one more)"
    )
    assert torch.equal(body_t[where], VOCAB - 1 - torch.arange(len(where))), (
        "the sentinels in targets must be vocab_size - 1, vocab_size - 2, ... in order"
    )
    bounds = where + [len(body_t)]
    spans = [body_t[a + 1 : b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if len(where) == k + 1:
        assert len(spans[-1]) == 0, "the optional last sentinel of targets must be followed only by EOS"
        spans = spans[:-1]
    return spans


def rebuild(inputs: torch.Tensor, spans: list[torch.Tensor]) -> torch.Tensor:
    pieces, k = [], 0
    for token in inputs[:-1].tolist():
        if token >= CONTENT_MAX:
            pieces.append(spans[k])
            k += 1
        else:
            pieces.append(torch.tensor([token]))
    return torch.cat(pieces)


def corrupt(student, ids, base, **kwargs):
    return student.t5_span_corruption(ids, VOCAB, EOS, generator=student_generator(student, base), **kwargs)


CASES = [  # (T, noise_density, mean_noise_span_length, num_noise, num_spans)
    (26, 0.15, 3.0, 4, 1),
    (40, 0.15, 3.0, 6, 2),
    (50, 0.3, 3.0, 15, 5),
    (64, 0.2, 2.5, 13, 5),
    (100, 0.15, 3.0, 15, 5),
    (36, 0.5, 2.0, 18, 9),
    (20, 0.01, 3.0, 1, 1),
    (22, 0.15, 3.0, 3, 1),  # 3.3 noise tokens: ceil differs
    (40, 0.2, 3.0, 8, 3),  # 8 / 3 = 2.67 spans: floor differs
]


@pytest.mark.weight(3)
@pytest.mark.parametrize("length,density,mean,num_noise,num_spans", CASES)
def test_t5__exact_numbers_of_noise_tokens_and_spans(student, length, density, mean, num_noise, num_spans):
    for s in range(3):
        ids = tokens(1000 * length + s, length)
        inputs, targets = corrupt(student, ids, s, noise_density=density, mean_noise_span_length=mean)
        spans = parse(ids, (inputs, targets))
        where = f"T={length}, noise_density={density}, mean_noise_span_length={mean}"
        assert len(spans) == num_spans, f"{where}: {len(spans)} spans, expected {num_spans}"
        got = sum(len(sp) for sp in spans)
        assert got == num_noise, f"{where}: {got} noise tokens, expected {num_noise}"


@pytest.mark.weight(3)
def test_t5__replacing_each_sentinel_by_its_span_gives_the_original(student):
    for s, (length, density, mean, _, _) in enumerate(CASES):
        ids = tokens(2000 + s, length)
        result = corrupt(student, ids, s, noise_density=density, mean_noise_span_length=mean)
        spans = parse(ids, result)
        assert torch.equal(rebuild(result[0], spans), ids), (
            "replacing each sentinel of the inputs by its span from the targets does not give the original"
        )


@pytest.mark.weight(2)
def test_t5__spans_are_maximal_and_never_empty(student):
    ids = tokens(3000, 60)
    outs = call_many(
        student,
        "t5_span_corruption",
        40,
        ids,
        VOCAB,
        EOS,
        0.3,
        2.0,
        generator=student_generator(student, 3001),
    )
    for result in outs:
        spans = parse(ids, result)
        assert all(len(sp) > 0 for sp in spans), "a sentinel stands for an empty span"
        body = result[0][:-1]
        adjacent = (body[1:] >= CONTENT_MAX) & (body[:-1] >= CONTENT_MAX)
        assert not adjacent.any(), (
            "two noise spans touch (two sentinels in a row): they form one maximal span"
        )


@pytest.mark.weight(2)
def test_t5__span_lengths_are_random(student):
    ids = tokens(4000, 100)
    outs = call_many(
        student, "t5_span_corruption", 30, ids, VOCAB, EOS, generator=student_generator(student, 4001)
    )
    layouts = {tuple(len(sp) for sp in parse(ids, result)) for result in outs}
    assert len(layouts) > 1, "every call gives the same span lengths; they must be drawn at random"
    assert any(len(set(layout)) > 1 for layout in layouts), "all spans always have the same length"


EDGES = [  # (T, noise_density, mean_noise_span_length, num_noise, num_spans)
    (2, 0.15, 3.0, 1, 1),  # the shortest valid input: one noise token and one kept token
    (2, 0.9, 3.0, 1, 1),  # round(1.8) = 2 noise tokens, capped at T - 1 = 1
    (20, 1.0, 30.0, 19, 1),  # round(20) = 20, capped at T - 1 = 19: one span, one kept token
    (25, 0.97, 50.0, 24, 1),  # round(24.25) = 24 = T - 1 in one span
]


@pytest.mark.weight(2)
@pytest.mark.parametrize("length,density,mean,num_noise,num_spans", EDGES)
def test_t5__two_tokens_and_the_cap_at_T_minus_1(student, length, density, mean, num_noise, num_spans):
    for s in range(3):
        ids = tokens(8000 + 100 * length + s, length)
        where = f"T={length}, noise_density={density}, mean_noise_span_length={mean}"
        result = corrupt(student, ids, 8000 + s, noise_density=density, mean_noise_span_length=mean)
        spans = parse(ids, result)
        assert len(spans) == num_spans, f"{where}: {len(spans)} spans, expected {num_spans}"
        got = sum(len(sp) for sp in spans)
        assert got == num_noise, (
            f"{where}: {got} noise tokens; num_noise = round(T * noise_density) clamped to [1, T - 1]"
        )
        assert torch.equal(rebuild(result[0], spans), ids), (
            f"{where}: replacing each sentinel by its span does not give the original"
        )


def test_t5__defaults_are_density_0_15_and_mean_span_3(student):
    ids = tokens(5000, 40)
    spans = parse(
        ids, student.t5_span_corruption(ids, VOCAB, EOS, generator=student_generator(student, 5001))
    )
    assert (len(spans), sum(len(sp) for sp in spans)) == (2, 6), (
        "with the defaults, T=40 gives 6 noise tokens in 2 spans"
    )


def valid_t5(ids, num_noise, num_spans):
    """A check of one result: the layout, the counts and the reconstruction."""

    def check(result):
        spans = parse(ids, result)
        assert len(spans) == num_spans, "the number of noise spans is not num_spans"
        assert sum(len(sp) for sp in spans) == num_noise, "the number of noise tokens is not num_noise"
        assert torch.equal(rebuild(result[0], spans), ids), "the spans do not reconstruct the original"

    return check


def test_t5__the_generator_decides_every_random_draw(student):
    ids = tokens(6000, 80)
    check = valid_t5(ids, 12, 4)
    assert same_result_for_same_seed(
        student, "t5_span_corruption", 6001, ids, VOCAB, EOS, result_check=check
    ), "two calls with equally seeded generators differ: draw every random number from `generator`"

    def draws(base):
        return call_many(
            student, "t5_span_corruption", 8, ids, VOCAB, EOS, generator=student_generator(student, base)
        )

    first, other = draws(6001), draws(6002)
    for result in first + other:
        check(result)
    assert any(not torch.equal(a[0], b[0]) for a, b in zip(first, other, strict=True)), (
        "differently seeded generators give the same corruption: is `generator` used?"
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_t5__returns_int64_inputs_and_targets(student):
    ids = tokens(6500, 40)
    result = corrupt(student, ids, 6501)
    valid_t5(ids, 6, 2)(result)
    assert_dtype(result[0], torch.int64, "inputs")
    assert_dtype(result[1], torch.int64, "targets")


@pytest.mark.weight(0.5)
def test_t5__rejects_fewer_than_2_tokens(student):
    ids = tokens(6600, 30)
    expect_error(
        lambda: student.t5_span_corruption(torch.tensor([7]), VOCAB, EOS),
        "ValueError",
        "t5_span_corruption with T=1",
        valid=lambda: valid_t5(ids, 4, 1)(corrupt(student, ids, 6601)),
    )


@pytest.mark.weight(0.5)
def test_t5__without_a_generator_uses_torchs_global_generator(student):
    ids = tokens(6700, 80)
    reproduced, differ = follows_the_global_generator(
        student, "t5_span_corruption", 6701, ids, VOCAB, EOS, result_check=valid_t5(ids, 12, 4)
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the draw"
    assert differ, (
        "with generator=None, two calls give the same corruption: draw from torch's global generator"
    )


@pytest.mark.weight(0.5)
def test_t5__does_not_modify_its_inputs(student):
    ids = tokens(7000, 30)
    assert_inputs_unchanged(
        student, "t5_span_corruption", ids, VOCAB, EOS, 0.3, result_check=valid_t5(ids, 9, 3)
    )
