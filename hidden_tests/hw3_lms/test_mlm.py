"""Hidden tests of task `mlm` (BERT's masking rule): rates with binomial tolerances, exact
properties of labels and special tokens; then the conventions, each its own small test: the dtype,
the ValueError, the generator (given, and None: torch's global one), untouched inputs."""

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_inputs_unchanged,
    expect_error,
    follows_the_global_generator,
    generator,
    rate_tolerance,
    same_result_for_same_seed,
    student_generator,
)

pytestmark = pytest.mark.task("mlm")

VOCAB = 30_000
MASK = 4


def batch(base: int, rows: int = 64, length: int = 256, special_rate: float = 0.1):
    """Random ids that never equal [MASK], CLS in column 0, other special tokens at random."""
    g = generator(base)
    ids = torch.randint(5, VOCAB, (rows, length), generator=g)  # (B, T)
    special = torch.rand(rows, length, generator=g) < special_rate  # (B, T)
    special[:, 0] = True
    return ids, special


def pair(result, ids):
    """(inputs, labels) of the shape of ids; their dtype is a convention with its own test."""
    assert isinstance(result, (tuple, list)) and len(result) == 2, "mask_tokens returns (inputs, labels)"
    inputs, labels = result
    for name, t in (("inputs", inputs), ("labels", labels)):
        assert isinstance(t, torch.Tensor) and t.shape == ids.shape, (
            f"{name} must be a tensor of shape (B, T)"
        )
    return inputs, labels


def corrupt(student, ids, special, base, vocab=VOCAB, **kwargs):
    result = student.mask_tokens(
        ids, special, MASK, vocab, generator=student_generator(student, base), **kwargs
    )
    return pair(result, ids)


def rounding_slack(special: torch.Tensor) -> float:
    """An exact-count variant selects round(p * n) of a row's n eligible tokens: off by <= 0.5 / n."""
    return 0.5 / int((~special).sum(dim=1).min())


def valid_masking(ids, special, p):
    """A check of one result: the label and special-token rules hold and about p is selected."""

    def check(result):
        inputs, labels = pair(result, ids)
        selected = labels != -100
        assert torch.equal(labels[selected], ids[selected]), "labels must hold the original ids"
        assert torch.equal(inputs[~selected], ids[~selected]), "unselected positions must keep their ids"
        assert not selected[special].any(), "a special token was selected"
        n = int((~special).sum())
        rate = int(selected.sum()) / n
        assert abs(rate - p) <= rate_tolerance(p, n) + rounding_slack(special), (
            f"the share of selected eligible tokens is not about mlm_probability={p}"
        )

    return check


@pytest.mark.weight(2)
def test_mlm__labels_hold_the_original_at_selected_positions_and_minus_100_elsewhere(student):
    ids, special = batch(1)
    inputs, labels = corrupt(student, ids, special, 2)
    selected = labels != -100
    assert selected.any(), "no token was selected"
    assert torch.equal(labels[selected], ids[selected]), (
        "labels must hold the original id at selected positions"
    )
    assert torch.equal(inputs[~selected], ids[~selected]), (
        "positions that are not selected (label -100) must keep their original id in inputs"
    )


@pytest.mark.weight(2)
def test_mlm__never_selects_a_special_token(student):
    ids, special = batch(3, special_rate=0.3)
    inputs, labels = corrupt(student, ids, special, 4, mlm_probability=0.5)
    assert (labels != -100).any(), "no token was selected"
    assert (labels[special] == -100).all(), "a special token was selected (its label is not -100)"
    assert torch.equal(inputs[special], ids[special]), "a special token was changed in inputs"


@pytest.mark.weight(2)
@pytest.mark.parametrize("p", [0.15, 0.4])
def test_mlm__selects_each_eligible_token_with_probability_p(student, p):
    ids, special = batch(5)
    _, labels = corrupt(student, ids, special, 6, mlm_probability=p)
    n = int((~special).sum())
    rate = (labels != -100).sum().item() / n
    assert abs(rate - p) <= rate_tolerance(p, n) + rounding_slack(special), (
        f"with mlm_probability={p} the share of selected eligible tokens is {rate:.4f}"
    )


def test_mlm__default_probability_is_0_15(student):
    ids, special = batch(7)
    _, labels = corrupt(student, ids, special, 8)
    n = int((~special).sum())
    rate = (labels != -100).sum().item() / n
    assert abs(rate - 0.15) <= rate_tolerance(0.15, n) + rounding_slack(special), (
        f"without mlm_probability the share of selected eligible tokens is {rate:.4f}, not about 0.15"
    )


@pytest.mark.weight(3)
def test_mlm__selected_tokens_split_80_10_10(student):
    ids, special = batch(9, rows=128)
    inputs, labels = corrupt(student, ids, special, 10, mlm_probability=0.5)
    selected = labels != -100
    n = int(selected.sum())
    assert n > 0, "no token was selected"
    got = inputs[selected]
    original = ids[selected]
    # a random id equals [MASK] or the original with probability 1/V each
    shares = {
        "the mask token": ((got == MASK).float().mean().item(), 0.8 + 0.1 / VOCAB),
        "unchanged": ((got == original).float().mean().item(), 0.1 + 0.1 / VOCAB),
        "a random id": (((got != MASK) & (got != original)).float().mean().item(), 0.1 * (1 - 2 / VOCAB)),
    }
    for what, (share, expected) in shares.items():
        assert abs(share - expected) <= rate_tolerance(expected, n), (
            f"{share:.3f} of the selected tokens became {what}; "
            "the rule is 80% mask token, 10% random id, 10% unchanged"
        )


@pytest.mark.weight(2)
def test_mlm__random_replacements_are_uniform_over_the_whole_vocabulary(student):
    vocab, mask, token = 12, 5, 3
    ids = torch.full((64, 256), token)
    special = torch.zeros(64, 256, dtype=torch.bool)
    inputs, labels = pair(
        student.mask_tokens(
            ids, special, mask, vocab, mlm_probability=1.0, generator=student_generator(student, 11)
        ),
        ids,
    )
    assert (labels != -100).all(), "with mlm_probability=1 every eligible token is selected"
    assert ((inputs >= 0) & (inputs < vocab)).all(), "random ids must lie in 0 .. vocab_size - 1"
    n = ids.numel()
    p = 0.1 / vocab
    for other in range(vocab):
        if other in (token, mask):
            continue
        share = (inputs == other).sum().item() / n
        assert abs(share - p) <= rate_tolerance(p, n), (
            f"id {other} replaces a token {share:.4f} of the time; "
            "random ids must be uniform over 0 .. vocab_size - 1"
        )


def test_mlm__rows_are_masked_independently(student):
    ids, special = batch(12, rows=32)
    special[:] = False
    _, labels = corrupt(student, ids, special, 13)
    patterns = {tuple(row.tolist()) for row in (labels != -100)}
    assert len(patterns) > 16, "every row gets the same selected positions; draw them per token"


def test_mlm__probability_0_selects_nothing_and_1_everything_eligible(student):
    ids, special = batch(14, rows=8)
    _, labels = corrupt(student, ids, special, 15, mlm_probability=0.0)
    assert (labels == -100).all(), "with mlm_probability=0 nothing is selected"
    _, labels = corrupt(student, ids, special, 16, mlm_probability=1.0)
    assert torch.equal(labels != -100, ~special), "with mlm_probability=1 every eligible token is selected"


def test_mlm__the_generator_decides_every_random_draw(student):
    ids, special = batch(18, rows=8)
    check = valid_masking(ids, special, 0.15)
    assert same_result_for_same_seed(
        student, "mask_tokens", 19, ids, special, MASK, VOCAB, result_check=check
    ), "two calls with equally seeded generators differ: draw every random number from `generator`"
    first = corrupt(student, ids, special, 19)
    other = corrupt(student, ids, special, 20)
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True)), (
        "calls with differently seeded generators give the same result: is `generator` used?"
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_mlm__returns_int64_inputs_and_labels(student):
    ids, special = batch(22, rows=8)
    result = student.mask_tokens(ids, special, MASK, VOCAB, 0.5, generator=student_generator(student, 23))
    valid_masking(ids, special, 0.5)(result)
    assert_dtype(result[0], torch.int64, "inputs")
    assert_dtype(result[1], torch.int64, "labels")


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_mlm__rejects_a_probability_outside_0_1(student, p):
    ids, special = batch(17, rows=8)
    expect_error(
        lambda: student.mask_tokens(ids, special, MASK, VOCAB, mlm_probability=p),
        "ValueError",
        f"mask_tokens with mlm_probability={p}",
        valid=lambda: valid_masking(ids, special, 0.5)(
            student.mask_tokens(ids, special, MASK, VOCAB, 0.5, generator=student_generator(student, 24))
        ),
    )


@pytest.mark.weight(0.5)
def test_mlm__without_a_generator_uses_torchs_global_generator(student):
    ids, special = batch(25, rows=8)
    reproduced, differ = follows_the_global_generator(
        student, "mask_tokens", 26, ids, special, MASK, VOCAB, result_check=valid_masking(ids, special, 0.15)
    )
    assert reproduced, "with generator=None, re-seeding torch's global generator must reproduce the draw"
    assert differ, "with generator=None, two calls give the same result: draw from torch's global generator"


@pytest.mark.weight(0.5)
def test_mlm__does_not_modify_its_inputs(student):
    ids, special = batch(21, rows=8)
    assert_inputs_unchanged(
        student, "mask_tokens", ids, special, MASK, VOCAB, 0.5, result_check=valid_masking(ids, special, 0.5)
    )
