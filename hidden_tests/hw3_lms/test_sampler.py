"""Hidden tests of task `sampler` (TokenBudgetSampler and collate_batch): the partition of indices,
the padded budget, the error on over-long items, grouping efficiency on lognormal lengths, epochs,
len(), use with a DataLoader, and padding; then the conventions, each its own small test: the
ValueError, collate's dtypes and its untouched examples."""

import math

import pytest
import torch

from autograder.sandbox.client import call
from autograder.testing import expect_error, generator

pytestmark = pytest.mark.task("sampler")


def uniform_lengths(base: int, n: int = 500, high: int = 64) -> list[int]:
    return torch.randint(1, high + 1, (n,), generator=generator(base)).tolist()


def lognormal_lengths(base: int, n: int = 3000, cap: int = 512) -> list[int]:
    """Text lengths as real corpora have them: lognormal around 60 tokens, a long tail."""
    raw = torch.exp(math.log(60) + 0.7 * torch.randn(n, generator=generator(base), dtype=torch.float64))
    return raw.round().clamp(1, cap).long().tolist()


def greedy_sorted_count(lengths: list[int], max_tokens: int) -> int:
    """Batches that a greedy packing of the globally sorted lengths needs."""
    count, size, longest = 0, 0, 0
    for n in sorted(lengths):
        if size and (size + 1) * max(longest, n) > max_tokens:
            count, size, longest = count + 1, 0, 0
        size, longest = size + 1, max(longest, n)
    return count + (size > 0)


def epoch_batches(sampler) -> list[list[int]]:
    batches = list(sampler)
    assert all(isinstance(b, (list, tuple)) for b in batches), "each batch must be a list of indices"
    return [[int(i) for i in b] for b in batches]


def check_partition(batches, n, what):
    assert all(len(b) > 0 for b in batches), f"{what}: an empty batch"
    seen = sorted(i for b in batches for i in b)
    missing = len(set(range(n)) - set(seen))
    assert len(seen) == len(set(seen)), f"{what}: an index appears more than once"
    assert missing == 0, f"{what}: {missing} of {n} indices never appear in a batch"
    assert seen == list(range(n)), f"{what}: indices outside range(len(lengths))"


@pytest.mark.weight(3)
@pytest.mark.parametrize("shuffle", [True, False])
def test_sampler__every_index_exactly_once_per_epoch(student, shuffle):
    lengths = uniform_lengths(1)
    sampler = student.TokenBudgetSampler(lengths, 256, shuffle=shuffle, seed=3)
    for epoch in (0, 1, 2):
        sampler.set_epoch(epoch)
        check_partition(epoch_batches(sampler), len(lengths), f"epoch {epoch} (shuffle={shuffle})")


@pytest.mark.weight(2)
def test_sampler__keeps_the_sample_that_overflows_and_the_last_partial_batch(student):
    lengths = [4, 4, 4, 4, 4, 6, 2]
    batches = epoch_batches(student.TokenBudgetSampler(lengths, 8, shuffle=False))
    check_partition(batches, len(lengths), "lengths 4, 4, 4, 4, 4, 6, 2 with max_tokens=8")


@pytest.mark.weight(3)
def test_sampler__padded_batches_stay_within_the_budget(student):
    for base, max_tokens in ((4, 256), (5, 100), (6, 64)):
        lengths = uniform_lengths(base)
        sampler = student.TokenBudgetSampler(lengths, max_tokens, seed=base)
        for epoch in (0, 1):
            sampler.set_epoch(epoch)
            for b in epoch_batches(sampler):
                padded = len(b) * max(lengths[i] for i in b)
                assert padded <= max_tokens, (
                    f"a batch of {len(b)} texts, the longest {max(lengths[i] for i in b)} tokens, "
                    f"holds {padded} padded tokens > max_tokens={max_tokens}"
                )


def test_sampler__fills_the_budget_exactly_when_it_can(student):
    batches = epoch_batches(student.TokenBudgetSampler([8] * 50, 32, shuffle=False))
    assert len(batches) == 13, (
        f"50 texts of 8 tokens with max_tokens=32 fit in 13 batches, not {len(batches)}"
    )


def valid_sampler(student, lengths, max_tokens):
    """A check that a sampler built on these lengths partitions them within the budget."""

    def check():
        batches = epoch_batches(student.TokenBudgetSampler(lengths, max_tokens, seed=1))
        check_partition(batches, len(lengths), f"lengths up to max_tokens={max_tokens}")
        assert all(len(b) * max(lengths[i] for i in b) <= max_tokens for b in batches), (
            "a padded batch exceeds max_tokens"
        )

    return check


@pytest.mark.weight(0.5)
def test_sampler__rejects_an_item_longer_than_the_budget(student):
    lengths = uniform_lengths(7, n=50, high=29) + [30]  # a length equal to max_tokens is fine
    expect_error(
        lambda: student.TokenBudgetSampler(lengths + [31], 30),
        "ValueError",
        "TokenBudgetSampler with a length above max_tokens",
        valid=valid_sampler(student, lengths, 30),
    )


@pytest.mark.weight(3)
@pytest.mark.parametrize("shuffle", [True, False])
def test_sampler__groups_similar_lengths_on_lognormal_lengths(student, shuffle):
    lengths = lognormal_lengths(8)
    max_tokens = 4096
    minimum = greedy_sorted_count(lengths, max_tokens)
    sampler = student.TokenBudgetSampler(lengths, max_tokens, shuffle=shuffle, seed=1)
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        batches = epoch_batches(sampler)
        check_partition(batches, len(lengths), f"epoch {epoch}")
        real = sum(lengths)
        padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
        assert padded <= 1.10 * real, (
            f"padded tokens are {padded / real:.2f} x the real tokens (at most 1.10): "
            "group texts of similar length"
        )
        assert len(batches) <= 1.10 * minimum, (
            f"{len(batches)} batches, more than 1.10 x the {minimum} a greedy packing of sorted lengths needs"
        )


@pytest.mark.weight(2)
def test_sampler__same_seed_and_epoch_give_the_same_batches(student):
    lengths = uniform_lengths(9)
    a = student.TokenBudgetSampler(lengths, 256, seed=5)
    b = student.TokenBudgetSampler(lengths, 256, seed=5)
    assert epoch_batches(a) == epoch_batches(b), "two samplers with the same seed give different batches"
    assert epoch_batches(a) == epoch_batches(a), "iterating the same epoch twice gives different batches"
    c = student.TokenBudgetSampler(lengths, 256, seed=5)
    c.set_epoch(0)
    assert epoch_batches(c) == epoch_batches(b), (
        "a new sampler and one after set_epoch(0) give different batches: the epoch is 0 by default"
    )
    a.set_epoch(4)
    b.set_epoch(4)
    assert epoch_batches(a) == epoch_batches(b), "two samplers with the same seed differ at epoch 4"


def as_sets(batches: list[list[int]]) -> list[frozenset[int]]:
    """An epoch's sequence of batches, each batch as a set: the order inside a batch does not count."""
    return [frozenset(b) for b in batches]


@pytest.mark.weight(2)
def test_sampler__epochs_and_seeds_change_the_batches_when_shuffling(student):
    lengths = uniform_lengths(10)
    sampler = student.TokenBudgetSampler(lengths, 256, shuffle=True, seed=0)
    epochs = []
    for epoch in range(4):
        sampler.set_epoch(epoch)
        batches = epoch_batches(sampler)
        check_partition(batches, len(lengths), f"epoch {epoch}")
        epochs.append(as_sets(batches))
    for a in range(4):
        for b in range(a):
            assert epochs[a] != epochs[b], (
                f"with shuffle=True, epochs {b} and {a} give the same sequence of batches "
                "(reordering the indices inside a batch does not count)"
            )
    other_seed = student.TokenBudgetSampler(lengths, 256, shuffle=True, seed=1)
    assert as_sets(epoch_batches(other_seed)) != epochs[0], (
        "seeds 0 and 1 give the same sequence of batches with shuffle=True"
    )


@pytest.mark.weight(2)
def test_sampler__epochs_differ_also_when_every_length_is_distinct(student):
    # no two texts of equal length: breaking ties at random cannot change an epoch, shuffling can
    lengths = (torch.randperm(400, generator=generator(14))[:200] + 1).tolist()
    sampler = student.TokenBudgetSampler(lengths, 1024, shuffle=True, seed=0)
    epochs = []
    for epoch in range(3):
        sampler.set_epoch(epoch)
        batches = epoch_batches(sampler)
        check_partition(batches, len(lengths), f"epoch {epoch}")
        epochs.append(as_sets(batches))
    for a in range(3):
        for b in range(a):
            assert epochs[a] != epochs[b], (
                f"with shuffle=True and all lengths distinct, epochs {b} and {a} give the same sequence "
                "of batches: shuffling only ties between equal lengths does not make epochs differ"
            )


def test_sampler__without_shuffle_the_batches_never_change(student):
    lengths = uniform_lengths(11)
    sampler = student.TokenBudgetSampler(lengths, 256, shuffle=False)
    first = epoch_batches(sampler)
    sampler.set_epoch(3)
    assert epoch_batches(sampler) == first, "with shuffle=False, epoch 3 differs from epoch 0"
    again = student.TokenBudgetSampler(lengths, 256, shuffle=False)
    assert epoch_batches(again) == first, "with shuffle=False, two samplers give different batches"


@pytest.mark.weight(2)
def test_sampler__len_is_the_number_of_batches_of_the_current_epoch(student):
    lengths = lognormal_lengths(12, n=400, cap=128)
    sampler = student.TokenBudgetSampler(lengths, 512, seed=2)
    assert len(sampler) == len(epoch_batches(sampler)), (
        "len(sampler) differs from the number of batches at epoch 0"
    )
    for epoch in (3, 1, 7, 2):
        sampler.set_epoch(epoch)
        announced = len(sampler)  # before the epoch is iterated
        assert announced == len(epoch_batches(sampler)) == len(sampler), (
            f"len(sampler) differs from the number of batches at epoch {epoch}"
        )


def test_sampler__works_as_a_dataloader_batch_sampler(student):
    lengths = uniform_lengths(13, n=100)
    sampler = student.TokenBudgetSampler(lengths, 128, seed=4)
    # torch's own DataLoader, built in the worker; its default collate turns each batch of indices
    # into an int64 tensor, which comes back here to be compared.
    loader = student.new("torch.utils.data:DataLoader", list(range(len(lengths))), batch_sampler=sampler)
    through_loader = [batch.tolist() if isinstance(batch, torch.Tensor) else batch for batch in loader]
    assert through_loader == epoch_batches(sampler), (
        "DataLoader(batch_sampler=sampler) does not yield the sampler's batches"
    )


def collated(out, rows):
    assert isinstance(out, dict) and {"input_ids", "attention_mask"} <= set(out), (
        "collate_batch returns a dict with input_ids and attention_mask"
    )
    ids, mask = out["input_ids"], out["attention_mask"]
    width = max(len(r) for r in rows)
    for name, t in (("input_ids", ids), ("attention_mask", mask)):
        assert isinstance(t, torch.Tensor) and t.shape == (len(rows), width), (
            f"{name} must be a tensor of shape (B, T_max)"
        )
    return ids, mask


def right_collate(rows, pad_id):
    def check(out):
        ids, mask = collated(out, rows)
        width = max(len(r) for r in rows)
        assert ids.tolist() == [r + [pad_id] * (width - len(r)) for r in rows], (
            "input_ids must hold each row's ids on the left and pad_id on the right"
        )
        assert mask.long().tolist() == [[1] * len(r) + [0] * (width - len(r)) for r in rows], (
            "attention_mask must be 1 at real tokens and 0 at padding"
        )

    return check


@pytest.mark.weight(2)
def test_sampler__collate_batch_right_pads_with_pad_id(student):
    rows = [[0, 5, 9], [4], [3, 0, 2, 8, 1]]
    right_collate(rows, 7)(student.collate_batch([{"input_ids": r} for r in rows], 7))


@pytest.mark.weight(2)
def test_sampler__collate_masks_by_length_even_where_a_real_token_equals_pad_id(student):
    rows = [[0, 5, 0], [4], [0], [6, 0, 0, 0]]
    out = student.collate_batch([{"input_ids": r} for r in rows], 0)
    collated(out, rows)
    assert out["attention_mask"].long().tolist() == [
        [1, 1, 1, 0],
        [1, 0, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 1, 1],
    ], (
        "attention_mask must be 1 at every real token, also where a real token equals pad_id: "
        "take it from the lengths, not from the ids"
    )
    right_collate(rows, 0)(out)


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_sampler__collate_returns_int64_ids_and_an_integer_mask(student):
    rows = [[3, 1], [4, 1, 5, 9, 2]]
    out = student.collate_batch([{"input_ids": r} for r in rows], 6)
    right_collate(rows, 6)(out)
    assert out["input_ids"].dtype == torch.int64, f"input_ids must be int64, not {out['input_ids'].dtype}"
    assert not out["attention_mask"].is_floating_point() and not out["attention_mask"].is_complex(), (
        "attention_mask holds 0/1 as integers or bools, not floats"
    )


@pytest.mark.weight(0.5)
def test_sampler__collate_does_not_modify_the_examples(student):
    rows = [[8, 1, 3], [2], [7, 7, 7, 7, 7]]
    batch = [{"input_ids": list(r), "label": i} for i, r in enumerate(rows)]
    result, args_after, _ = call(student.collate_batch, (batch, 9), {}, mode="inspect")
    right_collate(rows, 9)(result)
    assert args_after[0] == batch, "collate_batch modified the examples it was given; build new lists"
