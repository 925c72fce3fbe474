# audit: task=t5 expect=full
# Deletes the given _random_segmentation and defines its own helpers under public names: a function,
# a lambda, a constant and a small class, all in the task cell (the text allows any helpers there).
SENTINEL_OFFSET = 1

split_lengths = lambda bounds: [b - a for a, b in zip(bounds[:-1], bounds[1:])]  # noqa: E731


def segment(total, parts, generator=None):
    """`parts` positive lengths adding up to `total`, every composition equally likely."""
    cuts = sorted((torch.randperm(total - 1, generator=generator)[:parts - 1] + 1).tolist())
    return split_lengths([0] + cuts + [total])


class Layout:
    def __init__(self, keep, noise):
        self.pairs = list(zip(keep, noise))


def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    length = len(input_ids)
    if length < 2:
        raise ValueError("t5_span_corruption needs at least 2 tokens")
    num_noise = min(max(round(length * noise_density), 1), length - 1)
    num_spans = max(round(num_noise / mean_noise_span_length), 1)
    noise = segment(num_noise, num_spans, generator)
    keep = segment(length - num_noise, num_spans, generator)
    ids = input_ids.tolist()
    inputs, targets, pos = [], [], 0
    for k, (a, b) in enumerate(Layout(keep, noise).pairs):
        sentinel = vocab_size - SENTINEL_OFFSET - k
        inputs += ids[pos:pos + a] + [sentinel]
        targets += [sentinel] + ids[pos + a:pos + a + b]
        pos += a + b
    return torch.tensor(inputs + [eos_token_id]), torch.tensor(targets + [eos_token_id])
