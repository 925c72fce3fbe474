# audit: task=clm expect=less
# Subtracts the row maximum in place for stability: right value, but the caller's logits change.
def causal_lm_loss(logits, input_ids, attention_mask):
    with torch.no_grad():
        logits -= logits.max(dim=-1, keepdim=True).values
    keep = attention_mask[:, 1:].bool()
    return F.cross_entropy(logits[:, :-1][keep], input_ids[:, 1:][keep])
