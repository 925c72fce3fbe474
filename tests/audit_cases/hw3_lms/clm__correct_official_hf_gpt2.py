# audit: task=clm expect=full
# Hugging Face transformers, GPT2LMHeadModel.forward's loss (the classic version: shift the logits
# and the labels, then CrossEntropyLoss, whose ignore_index is -100), with the labels built as the
# language-modelling collator builds them: input ids with -100 where attention_mask is 0.
def causal_lm_loss(logits, input_ids, attention_mask):
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    shift_logits = logits[..., :-1, :].contiguous()
    shift_labels = labels[..., 1:].contiguous()
    loss_fct = torch.nn.CrossEntropyLoss()
    return loss_fct(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1))
