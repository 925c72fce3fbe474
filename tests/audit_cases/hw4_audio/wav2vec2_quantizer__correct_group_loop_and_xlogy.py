# audit: task=wav2vec2_quantizer expect=full
# A loop over the groups with index-selected codebook rows; entropy with torch.special.xlogy.
def gumbel_quantize(logits, codebooks, tau=2.0, training=True, generator=None):
    G, V, d = codebooks.shape
    noise = None
    if training:
        u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype)
        noise = -(-u.log()).log()
    parts, codes = [], []
    for g in range(G):
        l = logits[..., g * V : (g + 1) * V]  # (B, T, V)
        if training:
            y = F.softmax((l + noise[..., g * V : (g + 1) * V]) / tau, dim=-1)
            idx = y.argmax(-1)
            onehot = F.one_hot(idx, V).to(y.dtype)
            onehot = onehot + y - y.detach()
        else:
            idx = l.argmax(-1)
            onehot = F.one_hot(idx, V).to(l.dtype)
        parts.append(onehot @ codebooks[g])  # (B, T, d)
        codes.append(idx)
    return torch.cat(parts, dim=-1), torch.stack(codes, dim=-1)


def diversity_loss(logits, G, V):
    p = logits.reshape(-1, G, V).softmax(-1).mean(0)  # (G, V)
    h = -torch.special.xlogy(p, p).sum(-1)
    return 1 - torch.exp(h).sum() / (G * V)
