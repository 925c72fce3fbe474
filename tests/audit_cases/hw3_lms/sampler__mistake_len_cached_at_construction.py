# audit: task=sampler expect=less
# Sorts within pools of 100 shuffled texts (so epochs pack into different numbers of batches) but
# computes len() once, at construction, from epoch 0.
class TokenBudgetSampler(Sampler):
    POOL = 100

    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.lengths = [int(n) for n in lengths]
        self.max_tokens = int(max_tokens)
        if any(n > self.max_tokens for n in self.lengths):
            raise ValueError("a text is longer than max_tokens")
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0
        self._count = len(self._batches())

    def set_epoch(self, epoch):
        self.epoch = epoch

    def _batches(self):
        g = torch.Generator().manual_seed(self.seed * 7919 + self.epoch)
        n = len(self.lengths)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        batches = []
        for p in range(0, n, self.POOL):
            batch, longest = [], 0
            for i in sorted(order[p:p + self.POOL], key=lambda i: self.lengths[i]):
                if batch and (len(batch) + 1) * max(longest, self.lengths[i]) > self.max_tokens:
                    batches.append(batch)
                    batch, longest = [], 0
                batch.append(i)
                longest = max(longest, self.lengths[i])
            if batch:
                batches.append(batch)
        if self.shuffle:
            batches = [batches[j] for j in torch.randperm(len(batches), generator=g).tolist()]
        return batches

    def __iter__(self):
        return iter(self._batches())

    def __len__(self):
        return self._count


def collate_batch(batch, pad_id):
    longest = max(len(item["input_ids"]) for item in batch)
    rows = [item["input_ids"] + [pad_id] * (longest - len(item["input_ids"])) for item in batch]
    mask = [[1] * len(item["input_ids"]) + [0] * (longest - len(item["input_ids"])) for item in batch]
    return {"input_ids": torch.tensor(rows, dtype=torch.int64), "attention_mask": torch.tensor(mask)}
