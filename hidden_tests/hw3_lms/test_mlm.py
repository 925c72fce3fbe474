"""Hidden tests of task `mlm` (BERT's masking rule): rates with binomial tolerances, exact
properties of labels and special tokens, the generator, untouched inputs."""

import pytest
import torch

from autograder.testing import (
    assert_inputs_unchanged,
    expect_error,
    generator,
    rate_tolerance,
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


def corrupt(student, ids, special, base, vocab=VOCAB, **kwargs):
    result = student.mask_tokens(
        ids, special, MASK, vocab, generator=student_generator(student, base), **kwargs
    )
    assert isinstance(result, (tuple, list)) and len(result) == 2, "mask_tokens returns (inputs, labels)"
    inputs, labels = result
    for name, t in (("inputs", inputs), ("labels", labels)):
        assert isinstance(t, torch.Tensor) and t.shape == ids.shape, (
            f"{name} must be a tensor of shape (B, T)"
        )
        assert t.dtype == torch.int64, f"{name} must be int64, not {t.dtype}"
    return inputs, labels


def rounding_slack(special: torch.Tensor) -> float:
    """An exact-count variant selects round(p * n) of a row's n eligible tokens: off by <= 0.5 / n."""
    return 0.5 / int((~special).sum(dim=1).min())


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
    inputs, labels = student.mask_tokens(
        ids, special, mask, vocab, mlm_probability=1.0, generator=student_generator(student, 11)
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


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_mlm__rejects_a_probability_outside_0_1(student, p):
    ids, special = batch(17, rows=2, length=16)
    expect_error(
        lambda: student.mask_tokens(ids, special, MASK, VOCAB, mlm_probability=p),
        "ValueError",
        f"mask_tokens with mlm_probability={p}",
    )


def test_mlm__the_generator_decides_every_random_draw(student):
    ids, special = batch(18, rows=8)
    first = corrupt(student, ids, special, 19)
    again = corrupt(student, ids, special, 19)
    other = corrupt(student, ids, special, 20)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        "two calls with equally seeded generators differ"
    )
    assert not all(torch.equal(a, b) for a, b in zip(first, other, strict=True)), (
        "calls with differently seeded generators give the same result: is `generator` used?"
    )


def test_mlm__does_not_modify_its_inputs(student):
    ids, special = batch(21, rows=8)
    assert_inputs_unchanged(student, "mask_tokens", ids, special, MASK, VOCAB, 0.5)
