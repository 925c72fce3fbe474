# audit: task=mass expect=less
# Draws the start as round(u * slack) for a uniform u: the first and the last start come up half as
# often as the others.
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    content = (~special_tokens_mask.bool()).nonzero().flatten()
    first, m = int(content[0]), content.numel()
    k = max(1, round(m * span_ratio))
    start = first + round(float(torch.rand(1, generator=generator)) * (m - k))
    end = start + k
    encoder_input_ids = input_ids.clone()
    encoder_input_ids[start:end] = mask_token_id
    labels = torch.full_like(input_ids, -100)
    labels[start:end] = input_ids[start:end]
    decoder_input_ids = torch.full_like(input_ids, mask_token_id)
    decoder_input_ids[start + 1:end] = input_ids[start:end - 1]
    if start > 0:
        decoder_input_ids[start] = input_ids[start - 1]
    return {"encoder_input_ids": encoder_input_ids, "labels": labels, "decoder_input_ids": decoder_input_ids}
