# audit: task=clm expect=less
# Uses attention_mask[:, :-1] (the predicting position) instead of the target's mask.
def causal_lm_loss(logits, input_ids, attention_mask):
    keep = attention_mask[:, :-1].bool()
    return F.cross_entropy(logits[:, :-1][keep], input_ids[:, 1:][keep])
