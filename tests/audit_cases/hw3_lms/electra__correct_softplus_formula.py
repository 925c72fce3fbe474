# audit: task=electra expect=full
# The formula of the paper in its stable form: softplus(s) - y s, masked mean.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    m = attention_mask.to(logits.dtype)
    return ((F.softplus(logits) - y * logits) * m).sum() / m.sum()
