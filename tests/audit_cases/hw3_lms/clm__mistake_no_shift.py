# audit: task=clm expect=less
# Forgets the shift: position t is scored on token t itself.
def causal_lm_loss(logits, input_ids, attention_mask):
    keep = attention_mask.bool()
    return F.cross_entropy(logits[keep], input_ids[keep])
