# audit: task=t5 expect=full
# The Hugging Face run_t5_mlm_flax.py recipe: a boolean noise mask from interleaved span lengths,
# then sentinels from the mask.
def _segment(num_items, num_segments, generator):
    mask = torch.arange(num_items - 1) < (num_segments - 1)
    mask = mask[torch.randperm(num_items - 1, generator=generator)]
    first_in_segment = torch.cat([torch.tensor([False]), mask])
    segment_id = torch.cumsum(first_in_segment.long(), 0)
    return torch.bincount(segment_id, minlength=num_segments)


def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    length = len(input_ids)
    if length < 2:
        raise ValueError("need two tokens")
    num_noise = int(min(max(round(length * noise_density), 1), length - 1))
    num_spans = max(1, round(num_noise / mean_noise_span_length))
    noise = _segment(num_noise, num_spans, generator)
    keep = _segment(length - num_noise, num_spans, generator)
    lengths = torch.stack([keep, noise], dim=1).reshape(-1)
    starts = torch.cumsum(lengths, 0)[:-1]
    start_mask = torch.zeros(length, dtype=torch.long)
    start_mask[starts] = 1
    span_num = torch.cumsum(start_mask, 0)
    is_noise = span_num % 2 == 1
    first_noise = is_noise & torch.cat([torch.tensor([True]), ~is_noise[:-1]])
    sentinel_of = vocab_size - torch.cumsum(first_noise.long(), 0)
    inputs = torch.where(first_noise, sentinel_of, input_ids)[~is_noise | first_noise]
    first_keep = ~is_noise & torch.cat([torch.tensor([True]), is_noise[:-1]])
    target_sentinel = vocab_size - torch.cumsum(first_keep.long(), 0)
    targets = torch.where(first_keep, target_sentinel, input_ids)[is_noise | first_keep]
    eos = torch.tensor([eos_token_id])
    return torch.cat([inputs, eos]).long(), torch.cat([targets, eos]).long()
