# audit: task=electra expect=less
# Zeroes the logits of padded positions in the caller's tensor before the masked mean.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    keep = attention_mask.bool()
    with torch.no_grad():
        logits[~keep] = 0.0
    y = (corrupted_ids != original_ids).to(logits.dtype)
    return F.binary_cross_entropy_with_logits(logits[keep], y[keep])
