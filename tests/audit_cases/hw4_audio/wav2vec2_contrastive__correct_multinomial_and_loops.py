# audit: task=wav2vec2_contrastive expect=full
# torch.multinomial without replacement for the starts; one masked step at a time for the loss.
def span_mask(batch, T, p=0.065, M=10, generator=None):
    mask = torch.zeros(batch, T, dtype=torch.bool)
    n = int(p * T)
    for b in range(batch):
        if n == 0:
            continue
        starts = torch.multinomial(torch.ones(T), n, replacement=False, generator=generator)
        for s in starts.tolist():
            mask[b, s : min(s + M, T)] = True
    return mask


def wav2vec2_contrastive_loss(context, quantized, mask, num_negatives=100, temperature=0.1, generator=None):
    losses = []
    for b in range(mask.shape[0]):
        steps = mask[b].nonzero().flatten().tolist()
        for i, t in enumerate(steps):
            others = torch.tensor(steps[:i] + steps[i + 1 :])
            picks = others[torch.randint(len(others), (num_negatives,), generator=generator)]
            cands = torch.cat([quantized[b, t : t + 1], quantized[b, picks]])  # (1 + K, D)
            sims = F.cosine_similarity(context[b, t].expand_as(cands), cands, dim=-1) / temperature
            losses.append(-torch.log_softmax(sims, dim=0)[0])
    return torch.stack(losses).mean()
