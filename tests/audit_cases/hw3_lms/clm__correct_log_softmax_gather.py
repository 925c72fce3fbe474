# audit: task=clm expect=full
# log_softmax, gather the next token's log-probability, masked sum over the count.
def causal_lm_loss(logits, input_ids, attention_mask):
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    nll = -logp.gather(-1, input_ids[:, 1:, None]).squeeze(-1)
    keep = attention_mask[:, 1:].to(logits.dtype)
    return (nll * keep).sum() / keep.sum()
