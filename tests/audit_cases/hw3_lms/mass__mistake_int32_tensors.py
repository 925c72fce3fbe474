# audit: task=mass expect=less
# Builds the three tensors from Python lists as int32 (torch.int): the text promises int64 ids.
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    ids = input_ids.tolist()
    block = [i for i, s in enumerate(special_tokens_mask.tolist()) if not s]
    k = max(1, round(span_ratio * len(block)))
    start = block[0] + int(torch.randint(len(block) - k + 1, (1,), generator=generator))
    inside = range(start, start + k)
    enc = [mask_token_id if t in inside else x for t, x in enumerate(ids)]
    lab = [x if t in inside else -100 for t, x in enumerate(ids)]
    dec = [(ids[t - 1] if t > 0 else mask_token_id) if t in inside else mask_token_id for t in range(len(ids))]
    return {"encoder_input_ids": torch.tensor(enc, dtype=torch.int), "labels": torch.tensor(lab, dtype=torch.int),
            "decoder_input_ids": torch.tensor(dec, dtype=torch.int)}
