# audit: task=cpc expect=less
# Candidates only from the same sequence (other time steps), not other sequences.
def cpc_loss(z, c, predictors):
    """CPC's InfoNCE over k = 1..K with every valid (sequence, step) of that k as a candidate."""
    batch, steps, dim = z.shape
    losses = []
    for k in range(1, predictors.shape[0] + 1):
        scores = (c[:, : steps - k] @ predictors[k - 1].T) @ z[:, k:].transpose(1, 2)  # (B, T-k, T-k)
        target = torch.arange(steps - k).repeat(batch)
        losses.append(F.cross_entropy(scores.reshape(-1, steps - k), target))
    return torch.stack(losses).mean()
