# audit: task=nt_xent expect=full
# Vectorised with F.cosine_similarity and an explicit logsumexp, positives picked by index.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    z = torch.cat([z1, z2])
    sim = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=-1) / temperature
    sim = sim - torch.eye(2 * n, dtype=z.dtype) * 1e9
    idx = torch.arange(2 * n)
    pos = sim[idx, (idx + n) % (2 * n)]
    return (torch.logsumexp(sim, dim=1) - pos).mean()
