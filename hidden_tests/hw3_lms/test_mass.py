"""Hidden tests of task `mass` (MASS's single masked span): exact span length, placement inside the
content block, reconstruction, the shifted decoder input, a uniform start for odd and even slack, the
generator; then the conventions, each its own small test: the dtype, generator=None (torch's global
generator), untouched inputs."""

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_inputs_unchanged,
    call_many,
    draws_to_tell_apart,
    follows_the_global_generator,
    generator,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("mass")

MASK = 3
KEYS = ("encoder_input_ids", "labels", "decoder_input_ids")


def sequence(base: int, m: int, lead: int = 1, tail: int = 2):
    """lead special tokens, a block of m content tokens, tail special tokens (e.g. SEP, PAD)."""
    ids = torch.randint(10, 1000, (lead + m + tail,), generator=generator(base))  # (T,)
    special = torch.zeros(lead + m + tail, dtype=torch.bool)  # (T,)
    special[:lead] = True
    special[lead + m :] = True
    return ids, special


def check_output(out, ids):
    assert isinstance(out, dict), "mass_mask returns a dict"
    for key in KEYS:
        assert key in out, f"the result has no `{key}`"
        t = out[key]
        assert isinstance(t, torch.Tensor) and t.shape == ids.shape, f"`{key}` must be a tensor of shape (T,)"
    return out


def span_of(out):
    where = (out["labels"] != -100).nonzero().flatten()
    assert len(where) > 0, "no position is masked (labels are all -100)"
    start, k = int(where[0]), len(where)
    assert torch.equal(where, torch.arange(start, start + k)), (
        "the masked positions must form one contiguous span"
    )
    return start, k


def mass(student, ids, special, base, span_ratio=0.5):
    out = student.mass_mask(
        ids, special, MASK, span_ratio=span_ratio, generator=student_generator(student, base)
    )
    return check_output(out, ids)


@pytest.mark.weight(2)
@pytest.mark.parametrize("m,ratio,k", [(10, 0.5, 5), (13, 0.3, 4), (20, 0.5, 10), (9, 0.7, 6), (7, 0.05, 1)])
def test_mass__masks_one_span_of_max_1_round_ratio_times_m_tokens(student, m, ratio, k):
    for s in range(3):
        ids, special = sequence(10 * m + s, m)
        start, got = span_of(mass(student, ids, special, s, ratio))
        assert got == k, (
            f"with m={m} content tokens and span_ratio={ratio} the span has {got} tokens, not {k}"
        )


@pytest.mark.weight(2)
def test_mass__the_span_stays_inside_the_content_block(student):
    ids, special = sequence(1, 12, lead=3, tail=5)
    outs = call_many(
        student,
        "mass_mask",
        200,
        ids,
        special,
        MASK,
        span_ratio=0.25,
        generator=student_generator(student, 2),
    )
    for out in outs:
        start, k = span_of(check_output(out, ids))
        assert not special[start : start + k].any(), "the span covers a special token"


@pytest.mark.weight(2)
def test_mass__encoder_input_and_labels_reconstruct_the_original(student):
    for s in range(5):
        ids, special = sequence(20 + s, 15)
        out = mass(student, ids, special, s)
        start, k = span_of(out)
        inside = torch.zeros_like(special)
        inside[start : start + k] = True
        assert (out["encoder_input_ids"][inside] == MASK).all(), (
            "the span must be mask_token_id in the encoder input"
        )
        assert torch.equal(out["encoder_input_ids"][~inside], ids[~inside]), (
            "outside the span the encoder input must equal the original"
        )
        assert torch.equal(out["labels"][inside], ids[inside]), (
            "labels must hold the original ids of the span"
        )


@pytest.mark.weight(2)
def test_mass__decoder_input_is_the_span_shifted_right_and_mask_elsewhere(student):
    for s in range(5):
        ids, special = sequence(30 + s, 16)
        out = mass(student, ids, special, s)
        start, k = span_of(out)
        dec = out["decoder_input_ids"]
        outside = torch.ones_like(special)
        outside[start : start + k] = False
        assert (dec[outside] == MASK).all(), "outside the span the decoder input must be mask_token_id"
        assert torch.equal(dec[start + 1 : start + k], ids[start : start + k - 1]), (
            "inside the span the decoder input at t must be the original token at t - 1"
        )
        assert int(dec[start]) in (int(ids[start - 1]), MASK), (
            "the first decoder input of the span must be the token before it or mask_token_id"
        )


def test_mass__a_span_at_position_0_starts_the_decoder_with_mask(student):
    ids, special = sequence(41, 8, lead=0, tail=0)
    out = mass(student, ids, special, 42, span_ratio=1.0)
    start, k = span_of(out)
    assert (start, k) == (0, 8), "with span_ratio=1 the span covers the whole block"
    assert out["decoder_input_ids"][0] == MASK, (
        "a span starting at position 0 must start the decoder with mask_token_id"
    )


@pytest.mark.weight(2)
@pytest.mark.parametrize("m,ratio,k", [(10, 0.5, 5), (11, 0.3, 3)])  # 6 starts (odd slack), 9 (even)
def test_mass__the_start_is_uniform_over_every_position_where_the_span_fits(student, m, ratio, k):
    ids, special = sequence(51 + m, m)
    starts = m - k + 1
    # the nearest plausible mistake, a start rounded from a uniform float, draws each end half as often
    draws = draws_to_tell_apart(1 / starts, 1 / (2 * (starts - 1)))
    outs = call_many(
        student,
        "mass_mask",
        draws,
        ids,
        special,
        MASK,
        span_ratio=ratio,
        generator=student_generator(student, 52 + m),
    )
    counts = [0] * starts
    for out in outs:
        start, _ = span_of(check_output(out, ids))
        assert 1 <= start <= starts, "the span leaves the content block"
        counts[start - 1] += 1
    p = 1 / starts
    tolerance = 5 * (draws * p * (1 - p)) ** 0.5
    for offset, c in enumerate(counts):
        assert abs(c - draws * p) <= tolerance, (
            f"a span of {k} in a block of {m} started at offset {offset} in {c} of {draws} draws; "
            f"each of the {starts} possible starts should be equally likely"
        )


def valid_mass(ids, special, k):
    """A check of one result: one span of k content tokens, encoder input and labels consistent."""

    def check(out):
        start, got = span_of(check_output(out, ids))
        assert got == k, "the span does not have max(1, round(span_ratio * m)) tokens"
        assert not special[start : start + k].any(), "the span covers a special token"
        rebuilt = torch.where(out["labels"] != -100, out["labels"], out["encoder_input_ids"])
        assert torch.equal(rebuilt, ids), "encoder input and labels do not reconstruct the original"
        assert (out["encoder_input_ids"][start : start + k] == MASK).all(), "the span is not masked"

    return check


def test_mass__the_generator_decides_every_random_draw(student):
    # 199,981 possible starts: a draw from anything but `generator` repeats about 5 times in a million
    long_ids, long_special = sequence(60, 200_000)
    assert same_result_for_same_seed(
        student,
        "mass_mask",
        62,
        long_ids,
        long_special,
        MASK,
        0.0001,
        result_check=valid_mass(long_ids, long_special, 20),
    ), "two calls with equally seeded generators differ: draw every random number from `generator`"
    ids, special = sequence(61, 30)
    check = valid_mass(ids, special, 15)
    first = call_many(student, "mass_mask", 10, ids, special, MASK, generator=student_generator(student, 62))
    other = call_many(student, "mass_mask", 10, ids, special, MASK, generator=student_generator(student, 63))
    for out in first + other:
        check(out)
    assert any(not torch.equal(a["labels"], b["labels"]) for a, b in zip(first, other, strict=True)), (
        "differently seeded generators give the same spans: is `generator` used?"
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_mass__returns_int64_tensors(student):
    ids, special = sequence(72, 14)
    out = mass(student, ids, special, 73)
    valid_mass(ids, special, 7)(out)
    for key in KEYS:
        assert_dtype(out[key], torch.int64, f"`{key}`")


@pytest.mark.weight(0.5)
def test_mass__without_a_generator_uses_torchs_global_generator(student):
    # 199,981 possible starts: two unseeded calls pick the same one about 5 times in a million
    ids, special = sequence(74, 200_000)
    reproduced, differ = follows_the_global_generator(
        student, "mass_mask", 75, ids, special, MASK, 0.0001, result_check=valid_mass(ids, special, 20)
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the span"
    assert differ, "with generator=None, two calls give the same span: draw from torch's global generator"


@pytest.mark.weight(0.5)
def test_mass__does_not_modify_its_inputs(student):
    ids, special = sequence(71, 12)
    assert_inputs_unchanged(
        student, "mass_mask", ids, special, MASK, 0.5, result_check=valid_mass(ids, special, 6)
    )
