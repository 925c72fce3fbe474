# audit: task=clm expect=less
# Scores padding targets too.
def causal_lm_loss(logits, input_ids, attention_mask):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), input_ids[:, 1:].reshape(-1))
