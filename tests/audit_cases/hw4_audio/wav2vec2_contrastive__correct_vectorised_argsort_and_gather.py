# audit: task=wav2vec2_contrastive expect=full
# Starts from the argsort of uniform noise (distinct, uniform), spans by broadcasting; the loss
# with a logsumexp per masked step and distractor indices shifted past the step itself.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    n = int(p * T)
    starts = torch.rand(batch, T, generator=generator).argsort(dim=1)[:, :n]  # (batch, n)
    cols = (starts[:, :, None] + torch.arange(M)).clamp(max=T)  # (batch, n, M); T = cut off
    mask = torch.zeros(batch, T + 1, dtype=torch.bool)
    mask.scatter_(1, cols.reshape(batch, -1), True)
    return mask[:, :T]


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    total, count = 0, 0
    for b in range(context.shape[0]):
        idx = torch.where(mask[b])[0]
        n = idx.numel()
        neg = torch.randint(0, n - 1, (n, num_negatives), generator=generator)
        neg = neg + (neg >= torch.arange(n).unsqueeze(1)).to(neg.dtype)
        c = context[b, idx]
        q = quantized[b, idx]
        candidates = torch.cat([q.unsqueeze(1), q[neg]], dim=1)  # (n, 1 + K, D)
        sims = F.cosine_similarity(c.unsqueeze(1), candidates, dim=-1) / temperature
        total = total + (torch.logsumexp(sims, dim=1) - sims[:, 0]).sum()
        count += n
    return total / count
