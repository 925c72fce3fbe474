# audit: task=mlm expect=less
# Never checks mlm_probability.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_probability) & ~special_tokens_mask.bool()
    labels = torch.where(selected, input_ids, -100)
    u = torch.rand(input_ids.shape, generator=generator)
    rand = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = torch.where(selected & (u < 0.8), mask_token_id, input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), rand, inputs)
    return inputs, labels
