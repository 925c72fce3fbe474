# audit: task=t5 expect=less
# Draws each token's noise flag independently and merges neighbours into spans: the numbers of noise
# tokens and spans vary from call to call.
def t5_span_corruption(input_ids, vocab_size, eos_token_id, noise_density=0.15,
                       mean_noise_span_length=3.0, generator=None):
    if len(input_ids) < 2:
        raise ValueError("T < 2")
    noise = torch.rand(len(input_ids), generator=generator) < noise_density
    noise[0] = False
    inputs, targets, k = [], [], -1
    for t, token in enumerate(input_ids.tolist()):
        if noise[t]:
            if not noise[t - 1]:
                k += 1
                inputs.append(vocab_size - 1 - k)
                targets.append(vocab_size - 1 - k)
            targets.append(token)
        else:
            inputs.append(token)
    return torch.tensor(inputs + [eos_token_id]), torch.tensor(targets + [eos_token_id])
