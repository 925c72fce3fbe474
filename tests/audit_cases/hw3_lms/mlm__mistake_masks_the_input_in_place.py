# audit: task=mlm expect=less
# Right values, but writes [MASK] and random ids into the caller's tensor (as the HF collator does).
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError("mlm_probability must lie in [0, 1]")
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_probability) & ~special_tokens_mask.bool()
    labels = torch.where(selected, input_ids, -100)
    u = torch.rand(input_ids.shape, generator=generator)
    rand = torch.randint(vocab_size, input_ids.shape, generator=generator)
    input_ids[selected & (u < 0.8)] = mask_token_id
    swap = selected & (u >= 0.8) & (u < 0.9)
    input_ids[swap] = rand[swap]
    return input_ids, labels
