# audit: task=wav2vec2_contrastive expect=less
# fairseq's Wav2Vec2Model.sample_negatives + compute_preds (fairseq/models/wav2vec/wav2vec2.py)
# adapted per sequence: distractor indices from randint(n - 1) shifted past the step itself, cosine
# logits / temperature; compute_preds sets a distractor's logit to -inf when it equals the positive
# ("neg_is_pos"). The task's loss keeps every drawn distractor in the denominator, so this differs
# whenever two masked steps hold the same quantized vector. span_mask is the solution's.
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
        idx = mask[b].nonzero().flatten()
        x, y = context[b, idx], quantized[b, idx]  # (n, D)
        high = len(idx)
        tszs = torch.arange(high).unsqueeze(-1).expand(-1, num_negatives).flatten()
        neg_idxs = torch.randint(low=0, high=high - 1, size=(high * num_negatives,), generator=generator)
        neg_idxs[neg_idxs >= tszs] += 1
        negs = y[neg_idxs].view(high, num_negatives, -1).permute(1, 0, 2)  # (K, n, D)
        neg_is_pos = (y == negs).all(-1)
        targets = torch.cat([y.unsqueeze(0), negs], dim=0)  # (1 + K, n, D)
        logits = torch.cosine_similarity(x, targets, dim=-1).type_as(x) / temperature
        if neg_is_pos.any():
            logits[1:][neg_is_pos] = float("-inf")
        logits = logits.transpose(0, 1)  # (n, 1 + K)
        losses.append(F.cross_entropy(logits, torch.zeros(high, dtype=torch.long), reduction="none"))
    return torch.cat(losses).mean()
