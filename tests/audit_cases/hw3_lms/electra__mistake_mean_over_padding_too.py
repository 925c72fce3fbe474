# audit: task=electra expect=less
# Zeroes padded positions but divides by all B * T positions.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    per = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    return (per * attention_mask).mean()
