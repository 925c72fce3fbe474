# audit: task=sampler expect=less
# Checks the sum of the lengths against the budget, not the padded size len(batch) * max length.
class TokenBudgetSampler(Sampler):
    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.lengths = [int(n) for n in lengths]
        self.max_tokens = max_tokens
        if any(n > max_tokens for n in self.lengths):
            raise ValueError("a text is longer than max_tokens")
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def _batches(self):
        g = torch.Generator().manual_seed(self.seed * 7919 + self.epoch)
        order = torch.randperm(len(self.lengths), generator=g).tolist() if self.shuffle else list(range(len(self.lengths)))
        order.sort(key=lambda i: self.lengths[i])
        batches, batch = [], []
        for i in order:
            if batch and sum(self.lengths[j] for j in batch + [i]) > self.max_tokens:
                batches.append(batch)
                batch = []
            batch.append(i)
        if batch:
            batches.append(batch)
        if self.shuffle:
            batches = [batches[j] for j in torch.randperm(len(batches), generator=g).tolist()]
        return batches

    def __iter__(self):
        return iter(self._batches())

    def __len__(self):
        return len(self._batches())


def collate_batch(batch, pad_id):
    longest = max(len(item["input_ids"]) for item in batch)
    ids = torch.full((len(batch), longest), pad_id, dtype=torch.long)
    mask = torch.zeros(len(batch), longest, dtype=torch.long)
    for row, item in enumerate(batch):
        n = len(item["input_ids"])
        ids[row, :n] = torch.tensor(item["input_ids"], dtype=torch.long)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask}
