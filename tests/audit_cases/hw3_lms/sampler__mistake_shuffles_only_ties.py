# audit: task=sampler expect=less
# Takes the shuffle before the stable sort for the whole shuffle and never shuffles the batch order:
# epochs differ only through texts of equal length, and with all lengths distinct every epoch gives
# the same sequence of batches.
class TokenBudgetSampler(Sampler):
    """Batches of dataset indices whose padded size stays within a token budget.

    Every index appears exactly once per epoch; len(batch) * max(lengths of batch) <= max_tokens;
    a length above max_tokens raises ValueError at construction. Texts of similar length share a
    batch. Same seed and epoch give the same batches; with `shuffle` on, different epochs give a
    different sequence of batches (as sets of indices: not only another order inside each batch);
    `len()` is the number of batches that the epoch set last by `set_epoch` (0 by default) yields. Add any
    private helpers you need (names starting with `_`).
    """

    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.lengths = [int(n) for n in lengths]
        self.max_tokens = int(max_tokens)
        too_long = [i for i, n in enumerate(self.lengths) if n > self.max_tokens]
        if too_long:
            raise ValueError(f"{len(too_long)} items are longer than max_tokens={max_tokens}, "
                             f"e.g. index {too_long[0]} ({self.lengths[too_long[0]]} tokens)")
        self.shuffle, self.seed = shuffle, seed
        self.set_epoch(0)

    def set_epoch(self, epoch):
        self.epoch = epoch
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        n = len(self.lengths)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        order.sort(key=lambda i: self.lengths[i])  # stable: ties stay in random order
        batches, batch, longest = [], [], 0
        for i in order:  # greedy packing of the sorted lengths
            longest_if_added = max(longest, self.lengths[i])
            if batch and (len(batch) + 1) * longest_if_added > self.max_tokens:
                batches.append(batch)  # flush, and keep i for the next batch
                batch, longest_if_added = [], self.lengths[i]
            batch.append(i)
            longest = longest_if_added
        if batch:
            batches.append(batch)  # the last, partial batch too
        self._batches = batches

    def __iter__(self):
        return iter([list(b) for b in self._batches])

    def __len__(self):
        return len(self._batches)


def collate_batch(batch, pad_id):
    """Right-pad a list of {"input_ids": [int, ...]} to (B, T_max) int64 `input_ids` with pad_id,
    plus `attention_mask` (B, T_max): 1 at real tokens, 0 at padding, from the lengths (a real token
    may equal pad_id). The examples are not modified."""
    longest = max(len(item["input_ids"]) for item in batch)
    input_ids = torch.full((len(batch), longest), pad_id, dtype=torch.int64)  # (B, T)
    attention_mask = torch.zeros((len(batch), longest), dtype=torch.int64)  # (B, T)
    for row, item in enumerate(batch):
        n = len(item["input_ids"])
        input_ids[row, :n] = torch.as_tensor(item["input_ids"], dtype=torch.int64)
        attention_mask[row, :n] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask}
