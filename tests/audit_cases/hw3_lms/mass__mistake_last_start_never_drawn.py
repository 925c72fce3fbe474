# audit: task=mass expect=less
# Off by one: the span never starts at the last position where it fits.
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    content = (~special_tokens_mask.bool()).nonzero().flatten()
    first, m = int(content[0]), content.numel()
    k = max(1, round(span_ratio * m))
    start = first + int(torch.randint(max(m - k, 1), (1,), generator=generator))
    end = start + k
    enc = input_ids.clone()
    enc[start:end] = mask_token_id
    labels = torch.full_like(input_ids, -100)
    labels[start:end] = input_ids[start:end]
    dec = torch.full_like(input_ids, mask_token_id)
    dec[start + 1:end] = input_ids[start:end - 1]
    return {"encoder_input_ids": enc, "labels": labels, "decoder_input_ids": dec}
