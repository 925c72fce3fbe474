# audit: task=electra expect=less
# Label 1 where the token is ORIGINAL.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids == original_ids).to(logits.dtype)
    keep = attention_mask.bool()
    return F.binary_cross_entropy_with_logits(logits[keep], y[keep])
