# audit: task=cpc expect=full
# One position at a time: the positive against every candidate of that k.
def cpc_loss(z, c, predictors):
    B, T, _ = z.shape
    per_k = []
    for k in range(1, predictors.shape[0] + 1):
        candidates = z[:, k:].reshape(-1, z.shape[-1])  # (B (T-k), D), (b', t') in order
        terms = []
        for b in range(B):
            for t in range(T - k):
                scores = candidates @ (predictors[k - 1] @ c[b, t])  # (B (T-k),)
                terms.append(torch.logsumexp(scores, 0) - scores[b * (T - k) + t])
        per_k.append(torch.stack(terms).mean())
    return torch.stack(per_k).mean()
