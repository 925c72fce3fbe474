# audit: task=nt_xent expect=less
# Forgets to L2-normalise: raw dot products instead of cosine similarities.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = torch.cat([z1, z2])
    sim = (u @ u.T / temperature).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(sim, torch.arange(2 * n).roll(n))
