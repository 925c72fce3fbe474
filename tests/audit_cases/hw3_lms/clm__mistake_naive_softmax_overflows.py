# audit: task=clm expect=less
# log(softmax) written by hand without subtracting the maximum: exp overflows for large logits.
def causal_lm_loss(logits, input_ids, attention_mask):
    e = torch.exp(logits[:, :-1])
    p = e / e.sum(-1, keepdim=True)
    nll = -torch.log(p.gather(-1, input_ids[:, 1:, None]).squeeze(-1))
    keep = attention_mask[:, 1:].bool()
    return nll[keep].mean()
