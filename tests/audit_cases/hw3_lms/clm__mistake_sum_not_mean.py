# audit: task=clm expect=less
# Returns the sum over target tokens instead of the mean.
def causal_lm_loss(logits, input_ids, attention_mask):
    keep = attention_mask[:, 1:].bool()
    return F.cross_entropy(logits[:, :-1][keep], input_ids[:, 1:][keep], reduction="sum")
