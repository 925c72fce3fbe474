# audit: task=clm expect=less
# Shifts the wrong way: position t + 1 predicts token t.
def causal_lm_loss(logits, input_ids, attention_mask):
    keep = attention_mask[:, :-1].bool()
    return F.cross_entropy(logits[:, 1:][keep], input_ids[:, :-1][keep])
