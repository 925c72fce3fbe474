"""Hidden tests of bonus task `bart` (text infilling, sentence permutation, document rotation):
order-preserving subsequences, removed fraction and span counts over many draws, uniform orders
and rotations with binomial tolerances (odd and even lengths), the generator; then the conventions,
each its own small test: the dtype, generator=None (torch's global generator), untouched inputs."""

import itertools

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_inputs_unchanged,
    call_many,
    follows_the_global_generator,
    student_generator,
)

pytestmark = pytest.mark.task("bart")

MASK = 4
SEP = 2


def document(length: int = 100) -> torch.Tensor:
    return torch.arange(10, 10 + length)  # distinct and increasing: order is easy to check


def infill_many(student, times, base, length=100, **kwargs):
    tokens = document(length)
    outs = call_many(
        student, "text_infilling", times, tokens, MASK, generator=student_generator(student, base), **kwargs
    )
    stats = []
    for out in outs:
        assert isinstance(out, torch.Tensor) and out.dim() == 1, "text_infilling returns a 1-d tensor"
        kept = out[out != MASK]
        assert torch.isin(kept, tokens).all() and (kept.diff() > 0).all(), (
            "removing the mask tokens must leave an order-preserving subsequence of the input"
        )
        stats.append((length - len(kept), int((out == MASK).sum())))  # (removed, masks)
    return stats


@pytest.mark.weight(2)
@pytest.mark.parametrize("ratio", [0.3, 0.5])
def test_bart__infilling_removes_mask_ratio_of_the_tokens_on_average(student, ratio):
    stats = infill_many(student, 200, 1, mask_ratio=ratio)
    removed = sum(r for r, _ in stats) / (200 * 100)
    assert abs(removed - ratio) <= 0.03, f"on average {removed:.3f} of the tokens are removed, not {ratio}"


@pytest.mark.weight(2)
def test_bart__infilling_replaces_each_span_by_one_mask(student):
    stats = infill_many(student, 200, 2, mask_ratio=0.3, poisson_lambda=3.0)
    per_mask = sum(r for r, _ in stats) / sum(m for _, m in stats)
    assert 2.25 <= per_mask <= 3.75, (
        f"each mask token stands for {per_mask:.2f} removed tokens on average; spans of Poisson(3) "
        "lengths, each replaced by ONE mask, give about 3"
    )


@pytest.mark.weight(2)
@pytest.mark.parametrize("length,ratio", [(20, 0.3), (50, 0.3), (100, 0.3), (40, 0.5), (60, 0.15)])
def test_bart__infilling_removes_exactly_round_mask_ratio_times_T_tokens(student, length, ratio):
    # ratio * T is a whole number here: round, floor and ceil agree
    stats = infill_many(student, 20, 11 + length, length=length, mask_ratio=ratio)
    assert all(removed == round(ratio * length) for removed, _ in stats), (
        f"with T={length} and mask_ratio={ratio} a call removed a number of tokens other than "
        "round(mask_ratio * T): draw spans until that many tokens are covered and cut the last one to fit"
    )


def removed_runs_sit_at_masks(tokens: torch.Tensor, out: torch.Tensor) -> bool:
    """Whether every run of removed input tokens has a mask token where it stood (tokens increasing)."""
    first, expected, mask_seen = int(tokens[0]), 0, False
    for token in out.tolist():
        if token == MASK:
            mask_seen = True
            continue
        position = token - first
        if position > expected and not mask_seen:
            return False
        expected, mask_seen = position + 1, False
    return expected == len(tokens) or mask_seen


@pytest.mark.weight(2)
@pytest.mark.parametrize("length", [30, 100])
def test_bart__every_removed_token_stood_where_a_mask_now_stands(student, length):
    tokens = document(length)
    outs = call_many(student, "text_infilling", 50, tokens, MASK, generator=student_generator(student, 12))
    for out in outs:
        is_infilling(tokens)(out)
        assert removed_runs_sit_at_masks(tokens, out), (
            "some input tokens vanished with no mask token in their place: each span must be replaced "
            "by one mask token where it stood"
        )


def test_bart__infilling_inserts_a_mask_for_a_zero_length_span(student):
    stats = infill_many(student, 100, 3, mask_ratio=0.3, poisson_lambda=0.5)
    removed, masks = sum(r for r, _ in stats), sum(m for _, m in stats)
    assert masks > removed, (
        "with poisson_lambda=0.5 most spans have length 0 and must insert a mask token; "
        f"found {masks} masks for {removed} removed tokens"
    )


def sentences(doc: list[int]) -> list[tuple[int, ...]]:
    out, current = [], []
    for token in doc:
        current.append(token)
        if token == SEP:
            out.append(tuple(current))
            current = []
    return out + ([tuple(current)] if current else [])


@pytest.mark.weight(2)
def test_bart__permutation_returns_the_sentences_in_a_uniformly_random_order(student):
    doc = torch.tensor([11, 12, SEP, 13, SEP, 14, 15, 16])  # the last sentence has no separator
    parts = sentences(doc.tolist())
    orders = {tuple(t for i in perm for t in parts[i]): perm for perm in itertools.permutations(range(3))}
    draws = 600
    outs = call_many(
        student, "sentence_permutation", draws, doc, SEP, generator=student_generator(student, 5)
    )
    counts = dict.fromkeys(orders.values(), 0)
    for out in outs:
        key = tuple(out.tolist())
        assert key in orders, (
            "the result is not the sentences in some order (a sentence ends with its separator; "
            "trailing tokens form the last sentence)"
        )
        counts[orders[key]] += 1
    p = 1 / 6
    tolerance = 5 * (draws * p * (1 - p)) ** 0.5
    for perm, c in counts.items():
        assert abs(c - draws * p) <= tolerance, (
            f"sentence order {perm} came up {c} times in {draws} draws; all 6 orders should be equally likely"
        )


def test_bart__permutation_of_a_single_sentence_is_the_identity(student):
    doc = torch.tensor([21, 22, 23, 24])
    assert torch.equal(
        student.sentence_permutation(doc, SEP, generator=student_generator(student, 6)), doc
    ), "a document without separators is one sentence"


@pytest.mark.weight(2)
@pytest.mark.parametrize("length", [5, 6])
def test_bart__rotation_starts_at_a_uniformly_random_position(student, length):
    doc = torch.arange(31, 31 + length)
    draws = 100 * length
    outs = call_many(
        student, "document_rotation", draws, doc, generator=student_generator(student, 7 + length)
    )
    counts = [0] * length
    for out in outs:
        assert isinstance(out, torch.Tensor) and out.shape == doc.shape, "document_rotation keeps the shape"
        start = int(out[0]) - 31
        assert 0 <= start < length and torch.equal(torch.cat([doc[start:], doc[:start]]), out), (
            "the result is not a rotation of the input"
        )
        counts[start] += 1
    p = 1 / length
    tolerance = 5 * (draws * p * (1 - p)) ** 0.5
    for start, c in enumerate(counts):
        assert abs(c - draws * p) <= tolerance, (
            f"the rotation started at position {start} in {c} of {draws} draws; "
            f"all {length} starts should be equally likely"
        )


def is_infilling(tokens, ratio=0.3):
    def check(out):
        assert isinstance(out, torch.Tensor) and out.dim() == 1, "text_infilling returns a 1-d tensor"
        kept = out[out != MASK]
        assert torch.isin(kept, tokens).all() and (kept.diff() > 0).all(), (
            "removing the mask tokens must leave an order-preserving subsequence of the input"
        )
        removed = len(tokens) - len(kept)
        assert 0 < removed <= len(tokens) * min(1.0, 2 * ratio), "the share of removed tokens is far off"

    return check


def is_permutation(tokens):
    parts = sentences(tokens.tolist())
    if parts[-1][-1] == SEP:  # every sentence ends with its separator: the result splits the same way
        orders = None
    else:
        orders = {
            tuple(t for i in perm for t in parts[i]) for perm in itertools.permutations(range(len(parts)))
        }

    def check(out):
        assert isinstance(out, torch.Tensor) and out.shape == tokens.shape, (
            "sentence_permutation keeps the shape"
        )
        if orders is None:
            right = sorted(sentences(out.tolist())) == sorted(parts)
        else:
            right = tuple(out.tolist()) in orders
        assert right, "the result is not the sentences in some order"

    return check


def is_rotation(tokens):
    def check(out):
        assert isinstance(out, torch.Tensor) and out.shape == tokens.shape, (
            "document_rotation keeps the shape"
        )
        start = int(out[0]) - int(tokens[0])
        assert 0 <= start < len(tokens) and torch.equal(torch.cat([tokens[start:], tokens[:start]]), out), (
            "the result is not a rotation of the input"
        )

    return check


PERMUTED = torch.tensor([5, 6, SEP, 7, SEP, 8])
# enough outcomes that two draws agree less than once in a million: 10! orders, 200,000 rotations
MANY_SENTENCES = torch.tensor([t for s in range(10) for t in (20 + s, SEP)])
CASES = {
    "text_infilling": ((document(100), MASK), is_infilling(document(100))),
    "sentence_permutation": ((MANY_SENTENCES, SEP), is_permutation(MANY_SENTENCES)),
    "document_rotation": ((document(200_000),), is_rotation(document(200_000))),
}


@pytest.mark.parametrize(
    "fn,args,check",
    [
        ("text_infilling", (document(60), MASK), is_infilling(document(60))),
        ("sentence_permutation", (PERMUTED, SEP), is_permutation(PERMUTED)),
        ("document_rotation", (document(30),), is_rotation(document(30))),
    ],
)
def test_bart__the_generator_decides_every_random_draw(student, fn, args, check):
    def draws(base):
        return call_many(student, fn, 8, *args, generator=student_generator(student, base))

    first, again, other = draws(8), draws(8), draws(9)
    for out in first + other:
        check(out)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        f"{fn}: equally seeded generators differ"
    )
    assert any(not torch.equal(a, b) for a, b in zip(first, other, strict=True)), (
        f"{fn}: differently seeded generators give the same results: is `generator` used?"
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_bart__infilling_returns_int64(student):
    tokens = document(40)
    out = student.text_infilling(tokens, MASK, generator=student_generator(student, 4))
    is_infilling(tokens)(out)
    assert_dtype(out, torch.int64, "text_infilling")


@pytest.mark.weight(0.5)
def test_bart__without_a_generator_uses_torchs_global_generator(student):
    for fn, (args, check) in CASES.items():
        reproduced, differ = follows_the_global_generator(student, fn, 10, *args, result_check=check)
        assert reproduced, f"{fn}: with generator=None, re-seeding torch's global generator must reproduce it"
        assert differ, (
            f"{fn}: with generator=None, two calls give the same result: use torch's global generator"
        )


@pytest.mark.weight(0.5)
def test_bart__does_not_modify_its_inputs(student):
    for fn, args, check in (
        ("text_infilling", (document(60), MASK), is_infilling(document(60))),
        ("sentence_permutation", (PERMUTED, SEP), is_permutation(PERMUTED)),
        ("document_rotation", (document(30),), is_rotation(document(30))),
    ):
        assert_inputs_unchanged(student, fn, *args, result_check=check)
