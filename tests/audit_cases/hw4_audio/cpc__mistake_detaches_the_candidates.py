# audit: task=cpc expect=less
# The candidates are detached: no gradient reaches z.
def cpc_loss(z, c, predictors):
    """CPC's InfoNCE over k = 1..K with every valid (sequence, step) of that k as a candidate."""
    batch, steps, dim = z.shape
    losses = []
    for k in range(1, predictors.shape[0] + 1):
        context = c[:, : steps - k].reshape(-1, c.shape[-1])  # positions (b, t), t + k < T
        futures = z[:, k:].reshape(-1, dim).detach()  # the candidate z[b', t' + k], in the same order
        scores = (context @ predictors[k - 1].T) @ futures.T  # (N_k, N_k): positive on the diagonal
        losses.append(F.cross_entropy(scores, torch.arange(len(scores), device=z.device)))
    return torch.stack(losses).mean()
