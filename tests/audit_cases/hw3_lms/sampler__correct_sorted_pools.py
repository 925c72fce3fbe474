# audit: task=sampler expect=full
# fairseq-like pools: shuffle, cut into pools of 2048 texts, sort and pack each pool (its last partial
# batch included), shuffle the batches with Python's random module seeded by (seed, epoch).
import random


class TokenBudgetSampler(Sampler):
    POOL = 2048

    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.lengths = list(map(int, lengths))
        for i, n in enumerate(self.lengths):
            if n > max_tokens:
                raise ValueError(f"text {i} has {n} tokens > max_tokens={max_tokens}")
        self.max_tokens = max_tokens
        self.shuffle = shuffle
        self.seed = seed
        self.set_epoch(0)

    def set_epoch(self, epoch):
        rng = random.Random(f"{self.seed}/{epoch}")
        order = list(range(len(self.lengths)))
        if self.shuffle:
            rng.shuffle(order)
        self.batches = []
        for p in range(0, len(order), self.POOL):
            pool = sorted(order[p:p + self.POOL], key=self.lengths.__getitem__)
            batch = []
            for i in pool:
                if (len(batch) + 1) * max([self.lengths[j] for j in batch] + [self.lengths[i]]) > self.max_tokens:
                    self.batches.append(batch)
                    batch = []
                batch.append(i)
            if batch:
                self.batches.append(batch)
        if self.shuffle:
            rng.shuffle(self.batches)

    def __iter__(self):
        yield from (list(b) for b in self.batches)

    def __len__(self):
        return len(self.batches)


def collate_batch(batch, pad_id):
    width = max(len(x["input_ids"]) for x in batch)
    ids = [x["input_ids"] + [pad_id] * (width - len(x["input_ids"])) for x in batch]
    mask = [[1] * len(x["input_ids"]) + [0] * (width - len(x["input_ids"])) for x in batch]
    return {"input_ids": torch.tensor(ids, dtype=torch.int64), "attention_mask": torch.tensor(mask, dtype=torch.bool)}
