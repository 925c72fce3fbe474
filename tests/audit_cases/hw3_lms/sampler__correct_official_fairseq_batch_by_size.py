# audit: task=sampler expect=full
# fairseq: the dataset's ordered_indices (np.lexsort of a random permutation and the sizes, under
# data_utils.numpy_seed(seed + epoch)), data_utils.batch_by_size's greedy loop with max_tokens
# (is_batch_full: (len(batch) + 1) * longest > max_tokens; bsz_mult=1), and EpochBatchIterator's
# shuffle of the batches under numpy_seed(seed + epoch). fairseq's filter_by_size raises a plain
# Exception for an over-long sample; the task asks for ValueError, so the adaptation raises that.
import contextlib

import numpy as np


@contextlib.contextmanager
def numpy_seed(seed, *addl_seeds):
    """fairseq.data.data_utils.numpy_seed: seed numpy's global state, restore it afterwards."""
    if seed is None:
        yield
        return
    if len(addl_seeds) > 0:
        seed = int(hash((seed, *addl_seeds)) % 1e6)
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def batch_by_size(indices, num_tokens_fn, max_tokens, max_sentences=None, bsz_mult=1):
    def is_batch_full(batch, num_tokens):
        if len(batch) == 0:
            return False
        if max_sentences is not None and len(batch) == max_sentences:
            return True
        if max_tokens is not None and num_tokens > max_tokens:
            return True
        return False

    batches, batch, sample_lens, sample_len = [], [], [], 0
    for idx in indices:
        sample_lens.append(num_tokens_fn(idx))
        sample_len = max(sample_len, sample_lens[-1])
        num_tokens = (len(batch) + 1) * sample_len
        if is_batch_full(batch, num_tokens):
            mod_len = max(bsz_mult * (len(batch) // bsz_mult), len(batch) % bsz_mult)
            batches.append(batch[:mod_len])
            batch = batch[mod_len:]
            sample_lens = sample_lens[mod_len:]
            sample_len = max(sample_lens) if len(sample_lens) > 0 else 0
        batch.append(idx)
    if len(batch) > 0:
        batches.append(batch)
    return batches


class TokenBudgetSampler(Sampler):
    def __init__(self, lengths, max_tokens, shuffle=True, seed=0):
        self.sizes = np.array([int(n) for n in lengths])
        self.max_tokens, self.shuffle, self.seed = max_tokens, shuffle, seed
        for i, size in enumerate(self.sizes.tolist()):
            if size > max_tokens:
                raise ValueError(f"Size of sample #{i} is invalid (={size}) since max_tokens={max_tokens}")
        self.set_epoch(0)

    def ordered_indices(self):
        if self.shuffle:
            order = [np.random.permutation(len(self.sizes))]
        else:
            order = [np.arange(len(self.sizes))]
        order.append(self.sizes)
        return np.lexsort(order)

    def set_epoch(self, epoch):
        with numpy_seed(self.seed + epoch):
            indices = self.ordered_indices()
        batches = batch_by_size(indices.tolist(), lambda i: int(self.sizes[i]), self.max_tokens)
        if self.shuffle:
            with numpy_seed(self.seed + epoch):
                np.random.shuffle(batches)
        self.frozen_batches = [list(map(int, b)) for b in batches]

    def __iter__(self):
        return iter([list(b) for b in self.frozen_batches])

    def __len__(self):
        return len(self.frozen_batches)


def collate_batch(batch, pad_id):
    # fairseq.data.data_utils.collate_tokens (right padding), with the mask from the lengths
    values = [torch.as_tensor(item["input_ids"], dtype=torch.int64) for item in batch]
    size = max(v.size(0) for v in values)
    res = values[0].new(len(values), size).fill_(pad_id)
    mask = torch.zeros(len(values), size, dtype=torch.long)
    for i, v in enumerate(values):
        res[i][: len(v)].copy_(v)
        mask[i, : len(v)] = 1
    return {"input_ids": res, "attention_mask": mask}
