# audit: task=mlm expect=less
# Without a generator it makes a fresh torch.Generator(): every unseeded call draws the same positions
# instead of following torch's global generator.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if not 0.0 <= mlm_probability <= 1.0:
        raise ValueError("mlm_probability must lie in [0, 1]")
    generator = generator if generator is not None else torch.Generator()
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_probability) & ~special_tokens_mask.bool()
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    action = torch.rand(input_ids.shape, generator=generator)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = torch.where(selected & (action < 0.8), torch.full_like(input_ids, mask_token_id), input_ids)
    inputs = torch.where(selected & (action >= 0.8) & (action < 0.9), random_ids, inputs)
    return inputs, labels
