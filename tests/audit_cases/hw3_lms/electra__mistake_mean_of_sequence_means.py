# audit: task=electra expect=less
# Averages each sequence, then the sequences.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    m = attention_mask.to(logits.dtype)
    per = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    return ((per * m).sum(1) / m.sum(1)).mean()
