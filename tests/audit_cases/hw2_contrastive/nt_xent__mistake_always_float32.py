# audit: task=nt_xent expect=less
# Casts to float32 inside, so float64 inputs get a float32 loss (and lose precision).
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]).float(), dim=1)
    sim = (u @ u.T / temperature).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(sim, torch.arange(2 * n).roll(n))
