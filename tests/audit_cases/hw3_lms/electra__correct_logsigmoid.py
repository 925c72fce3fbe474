# audit: task=electra expect=full
# -[y log sigmoid(s) + (1 - y) log sigmoid(-s)] with logsigmoid, which is stable.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    per = -(y * F.logsigmoid(logits) + (1 - y) * F.logsigmoid(-logits))
    keep = attention_mask.bool()
    return per[keep].mean()
