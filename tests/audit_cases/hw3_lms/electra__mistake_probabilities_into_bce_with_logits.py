# audit: task=electra expect=less
# Applies sigmoid first, then binary_cross_entropy_with_logits (a double sigmoid).
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    keep = attention_mask.bool()
    return F.binary_cross_entropy_with_logits(torch.sigmoid(logits[keep]), y[keep])
