# audit: task=t5 expect=full
# Places the spans anywhere (a span may start the sequence): the kept tokens fall into num_spans + 1
# gaps whose inner ones are non-empty; closes the targets with one more sentinel, as T5 does.
def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    n = input_ids.numel()
    if n < 2:
        raise ValueError("t5_span_corruption needs T >= 2")
    num_noise = min(max(round(n * noise_density), 1), n - 1)
    num_spans = max(1, round(num_noise / mean_noise_span_length))
    cuts = sorted((torch.randperm(num_noise - 1, generator=generator)[:num_spans - 1] + 1).tolist())
    spans = [b - a for a, b in zip([0] + cuts, cuts + [num_noise])]
    free = n - num_noise - (num_spans - 1)  # kept tokens beyond one per inner gap
    bars = sorted(torch.randperm(free + num_spans, generator=generator)[:num_spans].tolist())
    gaps = [b - a - 1 for a, b in zip([-1] + bars, bars + [free + num_spans])]
    gaps = [g + (0 < i < num_spans) for i, g in enumerate(gaps)]
    inputs, targets, pos = [], [], 0
    for k, span in enumerate(spans):
        inputs += input_ids[pos:pos + gaps[k]].tolist() + [vocab_size - 1 - k]
        pos += gaps[k]
        targets += [vocab_size - 1 - k] + input_ids[pos:pos + span].tolist()
        pos += span
    inputs += input_ids[pos:].tolist() + [eos_token_id]
    targets += [vocab_size - 1 - num_spans, eos_token_id]
    return torch.tensor(inputs), torch.tensor(targets)
