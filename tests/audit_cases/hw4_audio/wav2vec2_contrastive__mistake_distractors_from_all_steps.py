# audit: task=wav2vec2_contrastive expect=less
# Distractors drawn from every other step of the sequence, masked or not.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    """(batch, T) bool mask: int(p T) distinct uniform starts per sequence, each masking M steps."""
    mask = torch.zeros(batch, T, dtype=torch.bool)
    starts = int(p * T)
    for b in range(batch):
        for s in torch.randperm(T, generator=generator)[:starts].tolist():
            mask[b, s : s + M] = True
    return mask


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    """Mean over masked steps of InfoNCE against distractors from the same sequence's masked steps."""
    losses = []
    for b in range(context.shape[0]):
        steps = mask[b].nonzero().flatten()  # (n,) the masked steps of sequence b
        n, T = len(steps), mask.shape[1]
        draws = torch.randint(T - 1, (n, num_negatives), generator=generator)
        others = draws + (draws >= steps[:, None]).long()  # any step but t itself
        c = F.normalize(context[b, steps], dim=-1)  # (n, D)
        q_all = F.normalize(quantized[b], dim=-1)  # (T, D)
        positive = (c * q_all[steps]).sum(-1, keepdim=True)  # (n, 1)
        negative = torch.einsum("nd,nkd->nk", c, q_all[others])  # (n, K)
        logits = torch.cat([positive, negative], dim=1) / temperature
        losses.append(-torch.log_softmax(logits, dim=1)[:, 0])
    return torch.cat(losses).mean()
