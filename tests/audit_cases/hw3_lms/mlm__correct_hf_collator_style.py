# audit: task=mlm expect=full
# Hugging Face DataCollatorForLanguageModeling's scheme: bernoulli(p), then bernoulli(0.8) for [MASK],
# then bernoulli(0.5) of the rest for a random id.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if mlm_probability < 0 or mlm_probability > 1:
        raise ValueError("bad probability")
    labels = input_ids.clone()
    probability_matrix = torch.full(labels.shape, float(mlm_probability))
    probability_matrix.masked_fill_(special_tokens_mask.bool(), value=0.0)
    masked_indices = torch.bernoulli(probability_matrix, generator=generator).bool()
    labels[~masked_indices] = -100
    inputs = input_ids.clone()
    replaced = torch.bernoulli(torch.full(labels.shape, 0.8), generator=generator).bool() & masked_indices
    inputs[replaced] = mask_token_id
    random = torch.bernoulli(torch.full(labels.shape, 0.5), generator=generator).bool() & masked_indices & ~replaced
    words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator)
    inputs[random] = words[random]
    return inputs, labels
