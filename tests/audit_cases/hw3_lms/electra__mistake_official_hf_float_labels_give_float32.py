# audit: task=electra expect=less
# Hugging Face transformers, ElectraForPreTraining.forward's loss: BCEWithLogitsLoss over the
# positions whose attention_mask is 1, with labels 1 where the token was replaced. Faithful: the
# labels go in as .float(), so float64 logits give a float32 loss (torch promotes to the target's
# dtype): the text asks for the logits' dtype, so this loses the dtype test, and only that one.
def electra_discriminator_loss(logits, original_ids, corrupted_ids, attention_mask):
    labels = (corrupted_ids != original_ids).long()
    loss_fct = torch.nn.BCEWithLogitsLoss()
    active_loss = attention_mask.view(-1, logits.shape[1]) == 1
    active_logits = logits.view(-1, logits.shape[1])[active_loss]
    active_labels = labels[active_loss]
    return loss_fct(active_logits, active_labels.float())
