# audit: task=clm expect=full
# Sets padded targets to -100 and lets cross_entropy's ignore_index do the token mean.
def causal_lm_loss(logits, input_ids, attention_mask):
    targets = input_ids[:, 1:].masked_fill(attention_mask[:, 1:] == 0, -100)
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
