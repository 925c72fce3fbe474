# audit: task=electra expect=full
# google-research/electra, run_pretraining.py _get_discriminator_output: sigmoid cross-entropy with
# logits per position, weighted by the input mask, summed and divided by (1e-6 + the mask's sum);
# tf.nn.sigmoid_cross_entropy_with_logits is max(x, 0) - x z + log(1 + exp(-|x|)).
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    weights = attention_mask.to(logits.dtype)
    labels = (corrupted_ids != original_ids).to(logits.dtype)
    losses = logits.clamp(min=0) - logits * labels + torch.log1p(torch.exp(-logits.abs()))
    return (weights * losses).sum() / (1e-6 + weights.sum())
