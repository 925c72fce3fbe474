# audit: task=wav2vec2_contrastive expect=less
# Skips the step itself by shifting draws at or above it DOWN instead of up: the step's own index
# (and index -1, the last step) can be drawn, so the positive appears among its distractors.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    mask = torch.zeros(batch, T, dtype=torch.bool)
    starts = int(p * T)
    for b in range(batch):
        for s in torch.randperm(T, generator=generator)[:starts].tolist():
            mask[b, s : s + M] = True
    return mask


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    losses = []
    for b in range(context.shape[0]):
        steps = mask[b].nonzero().flatten()
        n = len(steps)
        draws = torch.randint(n - 1, (n, num_negatives), generator=generator)
        others = draws - (draws >= torch.arange(n)[:, None]).long()
        c = F.normalize(context[b, steps], dim=-1)
        q = F.normalize(quantized[b, steps], dim=-1)
        positive = (c * q).sum(-1, keepdim=True)
        negative = torch.einsum("nd,nkd->nk", c, q[others])
        logits = torch.cat([positive, negative], dim=1) / temperature
        losses.append(-torch.log_softmax(logits, dim=1)[:, 0])
    return torch.cat(losses).mean()
