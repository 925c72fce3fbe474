# audit: task=wav2vec2_contrastive expect=less
# Spans placed so that they never overlap (rejection), as if p*T*M steps must be masked.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    """(batch, T) bool mask: int(p T) distinct uniform starts per sequence, each masking M steps."""
    mask = torch.zeros(batch, T, dtype=torch.bool)
    starts = int(p * T)
    for b in range(batch):
        chosen = []
        for s in torch.randperm(T, generator=generator).tolist():
            if len(chosen) < starts and all(abs(s - o) >= M for o in chosen):
                chosen.append(s)
        for s in chosen:
            mask[b, s : s + M] = True
    return mask


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    """Mean over masked steps of InfoNCE against distractors from the same sequence's masked steps."""
    losses = []
    for b in range(context.shape[0]):
        steps = mask[b].nonzero().flatten()  # (n,) the masked steps of sequence b
        n = len(steps)
        # For the i-th masked step: num_negatives draws among the n - 1 others (skip i itself).
        draws = torch.randint(n - 1, (n, num_negatives), generator=generator)
        others = draws + (draws >= torch.arange(n)[:, None]).long()
        c = F.normalize(context[b, steps], dim=-1)  # (n, D)
        q = F.normalize(quantized[b, steps], dim=-1)  # (n, D)
        positive = (c * q).sum(-1, keepdim=True)  # (n, 1)
        negative = torch.einsum("nd,nkd->nk", c, q[others])  # (n, K)
        logits = torch.cat([positive, negative], dim=1) / temperature
        losses.append(-torch.log_softmax(logits, dim=1)[:, 0])
    return torch.cat(losses).mean()
