# audit: task=electra expect=less
# log(sigmoid(s)) written naively: log(0) for logits of -50 in float32.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    y = (corrupted_ids != original_ids).to(logits.dtype)
    p = torch.sigmoid(logits)
    per = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    return per[attention_mask.bool()].mean()
