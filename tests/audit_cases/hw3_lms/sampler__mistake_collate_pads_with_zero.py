# audit: task=sampler expect=less
# collate_batch pads with 0 instead of pad_id (a correct sampler).
class TokenBudgetSampler(Sampler):
    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.lengths = list(lengths)
        if max(self.lengths) > max_tokens:
            raise ValueError("too long")
        self.max_tokens, self.shuffle, self.seed, self.epoch = max_tokens, shuffle, seed, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed + 10_000 * self.epoch)
        order = sorted(range(len(self.lengths)), key=lambda i: self.lengths[i])
        batches, batch, longest = [], [], 0
        for i in order:
            if batch and (len(batch) + 1) * max(longest, self.lengths[i]) > self.max_tokens:
                batches.append(batch)
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, self.lengths[i])
        batches.append(batch)
        if self.shuffle:
            batches = [batches[j] for j in torch.randperm(len(batches), generator=g)]
        return iter(batches)

    def __len__(self):
        return len(list(iter(self)))


def collate_batch(batch, pad_id):
    ids = torch.nn.utils.rnn.pad_sequence([torch.tensor(b["input_ids"]) for b in batch], batch_first=True)
    mask = torch.nn.utils.rnn.pad_sequence([torch.ones(len(b["input_ids"]), dtype=torch.long) for b in batch],
                                           batch_first=True)
    return {"input_ids": ids.long(), "attention_mask": mask}
