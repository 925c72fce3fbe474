# audit: task=t5 expect=less
# Clamps num_noise only from below (at least 1): for round(T * noise_density) >= T every token is
# noise and no kept token is left, instead of capping num_noise at T - 1.
def _random_segmentation(num_items, num_segments, generator=None):
    """Lengths of `num_segments` non-empty segments that add up to `num_items`, uniformly at random."""
    cuts = torch.randperm(num_items - 1, generator=generator)[:num_segments - 1] + 1  # (S-1,)
    bounds = torch.cat([torch.tensor([0]), cuts.sort().values, torch.tensor([num_items])])  # (S+1,)
    return bounds.diff().tolist()


def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    """T5's span corruption (Raffel et al., 2020, section 3.1.4; `random_spans_noise_mask`).

    input_ids: (T,) content tokens without EOS; T >= 2 (ValueError otherwise).
    num_noise = round(T * noise_density) clamped to [1, T - 1];
    num_spans = max(1, round(num_noise / mean_noise_span_length)). Exactly num_noise tokens form
    exactly num_spans maximal noise spans of random lengths. Sentinel k has id vocab_size - 1 - k.
    Returns (inputs, targets), 1-d int64:
      inputs: the tokens with noise span k replaced by sentinel k, then EOS;
      targets: sentinel 0, span 0's tokens, sentinel 1, span 1's tokens, ..., then EOS.
    """
    length = input_ids.shape[0]
    if length < 2:
        raise ValueError(f"t5_span_corruption needs at least 2 tokens, got {length}")
    num_noise = max(round(length * noise_density), 1)
    num_spans = max(round(num_noise / mean_noise_span_length), 1)
    noise_lengths = _random_segmentation(num_noise, num_spans, generator)
    keep_lengths = _random_segmentation(length - num_noise, num_spans, generator)
    inputs, targets, position = [], [], 0
    for k, (keep, noise) in enumerate(zip(keep_lengths, noise_lengths)):  # T5: keep, noise, keep, ...
        sentinel = torch.tensor([vocab_size - 1 - k])
        inputs += [input_ids[position:position + keep], sentinel]
        targets += [sentinel, input_ids[position + keep:position + keep + noise]]
        position += keep + noise
    eos = torch.tensor([eos_token_id])
    inputs = torch.cat(inputs + [eos]).to(torch.int64)  # (T - num_noise + num_spans + 1,)
    targets = torch.cat(targets + [eos]).to(torch.int64)  # (num_noise + num_spans + 1,)
    return inputs, targets
