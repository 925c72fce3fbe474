# audit: task=mlm expect=less
# Draws the random-id share with bernoulli(0.1) among the 20% left after [MASK]: only 2% get random ids.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError("mlm_probability must lie in [0, 1]")
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_probability) & ~special_tokens_mask.bool()
    labels = torch.where(selected, input_ids, -100)
    replaced = (torch.rand(input_ids.shape, generator=generator) < 0.8) & selected
    random = (torch.rand(input_ids.shape, generator=generator) < 0.1) & selected & ~replaced
    rand = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = torch.where(replaced, mask_token_id, input_ids)
    inputs = torch.where(random, rand, inputs)
    return inputs, labels
