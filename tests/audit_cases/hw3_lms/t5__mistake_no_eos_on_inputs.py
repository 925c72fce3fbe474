# audit: task=t5 expect=less
# Forgets the EOS at the end of the inputs.
def _segments(num_items, num_segments, generator=None):
    cuts = torch.randperm(num_items - 1, generator=generator)[:num_segments - 1] + 1
    bounds = torch.cat([torch.tensor([0]), cuts.sort().values, torch.tensor([num_items])])
    return bounds.diff().tolist()


def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    length = input_ids.shape[0]
    if length < 2:
        raise ValueError("T < 2")
    num_noise = min(max(round(length * noise_density), 1), length - 1)
    num_spans = max(1, round(num_noise / mean_noise_span_length))
    noise_lengths = _segments(num_noise, num_spans, generator)
    keep_lengths = _segments(length - num_noise, num_spans, generator)
    inputs, targets, position = [], [], 0
    for k, (keep, noise) in enumerate(zip(keep_lengths, noise_lengths)):
        sentinel = torch.tensor([vocab_size - 1 - k])
        inputs += [input_ids[position:position + keep], sentinel]
        targets += [sentinel, input_ids[position + keep:position + keep + noise]]
        position += keep + noise
    eos = torch.tensor([eos_token_id])
    return torch.cat(inputs + []).long(), torch.cat(targets + [eos]).long()
