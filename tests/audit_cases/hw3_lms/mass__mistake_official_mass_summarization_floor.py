# audit: task=mass expect=less
# microsoft/MASS, MASS-summarization/mass/masked_dataset.py MaskedLanguagePairDataset.__getitem__,
# with one block (the content block), mask_prob=span_ratio and pred_probs=(1, 0, 0) (the task sets
# the span to mask_token_id; MASS's default 8:1:1 replacement is its own choice); np.random.choice
# becomes a draw from `generator`. The official code differs from the task's definition: it floors
# the span length, masked_len = int(len(block) * mask_prob), where the task (and the paper's 50%)
# rounds, k = max(1, round(span_ratio * m)).
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    src_item = input_ids.clone()
    positions = torch.arange(0, len(input_ids))
    block = positions[~special_tokens_mask.bool()]
    masked_len = int(len(block) * span_ratio)
    candidates = block[:-int(masked_len) + 1] if masked_len > 1 else block
    masked_block_start = int(candidates[torch.randint(len(candidates), (1,), generator=generator)])
    masked_pos = positions[masked_block_start:masked_block_start + masked_len]
    labels = torch.full_like(input_ids, -100)
    labels[masked_pos] = src_item[masked_pos].clone()
    decoder_input_ids = torch.full_like(input_ids, mask_token_id)
    decoder_input_ids[masked_pos] = src_item[(masked_pos - 1).clamp(min=0)].clone()
    if masked_block_start == 0:
        decoder_input_ids[0] = mask_token_id
    src_item[masked_pos] = mask_token_id
    return {"encoder_input_ids": src_item, "labels": labels, "decoder_input_ids": decoder_input_ids}
