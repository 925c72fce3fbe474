# audit: task=mass expect=full
# Always starts the decoder with mask_token_id (the spec allows it); builds the outputs with torch.where.
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    content = torch.nonzero(~special_tokens_mask.bool()).flatten()
    m = len(content)
    k = max(1, round(span_ratio * m))
    start = int(content[0]) + int(torch.randint(0, m - k + 1, (), generator=generator))
    pos = torch.arange(len(input_ids))
    inside = (pos >= start) & (pos < start + k)
    previous = torch.cat([torch.tensor([mask_token_id]), input_ids[:-1]])
    previous[start] = mask_token_id
    return {
        "encoder_input_ids": torch.where(inside, mask_token_id, input_ids),
        "labels": torch.where(inside, input_ids, -100),
        "decoder_input_ids": torch.where(inside, previous, mask_token_id),
    }
