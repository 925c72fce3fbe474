# audit: task=electra expect=less
# Computes in float32 whatever the logits' dtype.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    keep = attention_mask.bool()
    y = (corrupted_ids != original_ids).float()
    return F.binary_cross_entropy_with_logits(logits.float()[keep], y[keep])
