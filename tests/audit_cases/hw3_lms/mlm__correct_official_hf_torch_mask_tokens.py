# audit: task=mlm expect=full
# Hugging Face transformers, DataCollatorForLanguageModeling.torch_mask_tokens (data/data_collator.py,
# mask_replace_prob=0.8, random_replace_prob=0.1, whole_word_mask off), adapted to the task's signature:
# the collator works on the fresh batch tensor it built, so the adaptation clones input_ids first, and
# HF's range check on mlm_probability (made in __post_init__) moves into the call.
def mask_tokens(input_ids, special_tokens_mask, mask_token_id, vocab_size, mlm_probability=0.15,
                generator=None):
    if mlm_probability is None or mlm_probability < 0 or mlm_probability > 1:
        raise ValueError("mlm_probability should be between 0 and 1.")
    mask_replace_prob, random_replace_prob = 0.8, 0.1
    inputs = input_ids.clone()
    labels = inputs.clone()
    probability_matrix = torch.full(labels.shape, mlm_probability)
    no_mask_mask = special_tokens_mask.bool()
    probability_matrix.masked_fill_(no_mask_mask, value=0.0)
    masked_indices = torch.bernoulli(probability_matrix, generator=generator).bool()
    labels[~masked_indices] = -100
    indices_replaced = (
        torch.bernoulli(torch.full(labels.shape, mask_replace_prob), generator=generator).bool() & masked_indices
    )
    inputs[indices_replaced] = mask_token_id
    remaining_prob = 1 - mask_replace_prob
    random_replace_prob_scaled = random_replace_prob / remaining_prob
    indices_random = (
        torch.bernoulli(torch.full(labels.shape, random_replace_prob_scaled), generator=generator).bool()
        & masked_indices
        & ~indices_replaced
    )
    random_words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator)
    inputs[indices_random] = random_words[indices_random]
    return inputs, labels
