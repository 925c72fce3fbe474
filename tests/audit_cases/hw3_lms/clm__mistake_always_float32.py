# audit: task=clm expect=less
# Casts the logits to float32: float64 inputs come back as float32 and lose precision.
def causal_lm_loss(logits, input_ids, attention_mask):
    keep = attention_mask[:, 1:].bool()
    return F.cross_entropy(logits[:, :-1].float()[keep], input_ids[:, 1:][keep])
