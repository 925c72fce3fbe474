# audit: task=mlm expect=full
# The exact-count variant the spec accepts: round(p * n) of each row's n eligible tokens, chosen at random.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if not 0 <= mlm_probability <= 1:
        raise ValueError("mlm_probability must lie in [0, 1]")
    eligible = ~special_tokens_mask.bool()
    scores = torch.rand(input_ids.shape, generator=generator).masked_fill(~eligible, 2.0)
    selected = torch.zeros_like(eligible)
    for row in range(input_ids.shape[0]):
        k = round(mlm_probability * int(eligible[row].sum()))
        selected[row, scores[row].argsort()[:k]] = True
    labels = input_ids.masked_fill(~selected, -100)
    u = torch.rand(input_ids.shape, generator=generator)
    rand = torch.randint(0, vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.clone()
    inputs[selected & (u < 0.8)] = mask_token_id
    swap = selected & (u >= 0.8) & (u < 0.9)
    inputs[swap] = rand[swap]
    return inputs, labels
