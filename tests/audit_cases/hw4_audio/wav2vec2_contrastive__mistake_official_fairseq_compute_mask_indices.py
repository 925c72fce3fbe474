# audit: task=wav2vec2_contrastive expect=less
# fairseq's compute_mask_indices (fairseq/data/data_utils.py, mask_type="static", no_overlap=False)
# adapted to torch draws: int(p T / M + rand) spans whose starts are drawn only where the span fits
# (np.random.choice(sz - min_len, num_mask, replace=False)). The task defines int(p T) starts over
# all T steps (the paper's rule), so this differs; the loss is the solution's.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    mask = torch.zeros(batch, T, dtype=torch.bool)
    for b in range(batch):
        num_mask = int(p * T / float(M) + torch.rand((), generator=generator).item())
        num_mask = max(1, num_mask)
        mask_idc = torch.randperm(T - M, generator=generator)[:num_mask]
        for s in mask_idc.tolist():
            mask[b, s : s + M] = True
    return mask


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    losses = []
    for b in range(context.shape[0]):
        steps = mask[b].nonzero().flatten()
        n = len(steps)
        draws = torch.randint(n - 1, (n, num_negatives), generator=generator)
        others = draws + (draws >= torch.arange(n)[:, None]).long()
        c = F.normalize(context[b, steps], dim=-1)
        q = F.normalize(quantized[b, steps], dim=-1)
        positive = (c * q).sum(-1, keepdim=True)
        negative = torch.einsum("nd,nkd->nk", c, q[others])
        logits = torch.cat([positive, negative], dim=1) / temperature
        losses.append(-torch.log_softmax(logits, dim=1)[:, 0])
    return torch.cat(losses).mean()
