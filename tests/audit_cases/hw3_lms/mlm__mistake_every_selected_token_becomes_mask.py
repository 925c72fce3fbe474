# audit: task=mlm expect=less
# Forgets the 10% random / 10% unchanged: every selected token becomes [MASK].
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError("mlm_probability must lie in [0, 1]")
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_probability) & ~special_tokens_mask.bool()
    labels = torch.where(selected, input_ids, -100)
    return input_ids.masked_fill(selected, mask_token_id), labels
