# audit: task=cpc expect=full
# All k at once: every prediction scored against every z' with einsum, invalid pairs masked by -inf.
def cpc_loss(z, c, predictors):
    B, T, D = z.shape
    K = predictors.shape[0]
    pred = torch.einsum("kdc,btc->kbtd", predictors, c)  # (K, B, T, D)
    losses = []
    for k in range(1, K + 1):
        p = pred[k - 1, :, : T - k]  # (B, T-k, D)
        scores = torch.einsum("btd,sud->btsu", p, z[:, k:])  # (B, T-k, B, T-k)
        flat = scores.reshape(B * (T - k), B * (T - k))
        log_probs = flat - torch.logsumexp(flat, dim=1, keepdim=True)
        losses.append(-log_probs.diagonal().mean())
    return sum(losses) / K
