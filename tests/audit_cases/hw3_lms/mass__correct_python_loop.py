# audit: task=mass expect=full
# A plain loop over positions, with the start drawn as a random permutation's first element.
def mass_mask(input_ids, special_tokens_mask, mask_token_id, span_ratio=0.5, generator=None):
    ids = input_ids.tolist()
    block = [i for i, s in enumerate(special_tokens_mask.tolist()) if not s]
    m = len(block)
    k = max(1, round(span_ratio * m))
    start = block[int(torch.randperm(m - k + 1, generator=generator)[0])]
    enc, lab, dec = [], [], []
    for t, token in enumerate(ids):
        if start <= t < start + k:
            enc.append(mask_token_id)
            lab.append(token)
            dec.append(ids[t - 1] if t > 0 else mask_token_id)
        else:
            enc.append(token)
            lab.append(-100)
            dec.append(mask_token_id)
    return {"encoder_input_ids": torch.tensor(enc), "labels": torch.tensor(lab),
            "decoder_input_ids": torch.tensor(dec)}
