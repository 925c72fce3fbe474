# audit: task=wav2vec2_quantizer expect=less
# Codes as int32.
def gumbel_quantize(logits, codebooks, tau=2.0, training=True, generator=None):
    """(B, T, G*V) logits, (G, V, d) codebooks -> ((B, T, G*d) quantized, (B, T, G) int64 codes)."""
    groups, entries, _ = codebooks.shape
    l = logits.reshape(*logits.shape[:-1], groups, entries)  # (B, T, G, V)
    if training:
        u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype, device=logits.device)
        noise = -torch.log(-torch.log(u)).reshape(l.shape)
        soft = torch.softmax((l + noise) / tau, dim=-1)
        codes = soft.argmax(dim=-1)
        hard = F.one_hot(codes, entries).to(soft.dtype)
        onehot = hard - soft.detach() + soft
    else:
        codes = l.argmax(dim=-1)
        onehot = F.one_hot(codes, entries).to(logits.dtype)
    quantized = torch.einsum("btgv,gvd->btgd", onehot, codebooks.to(onehot.dtype))
    return quantized.reshape(*logits.shape[:-1], -1), codes.int()


def diversity_loss(logits, G, V):
    """wav2vec 2.0's eq. 4 from the noise-free softmax averaged over all frames (0-d tensor)."""
    probs = torch.softmax(logits.reshape(-1, G, V), dim=-1).mean(dim=0)  # (G, V)
    entropy = -(probs * torch.log(probs.clamp_min(1e-30))).sum(dim=-1)
    return (G * V - torch.exp(entropy).sum()) / (G * V)
