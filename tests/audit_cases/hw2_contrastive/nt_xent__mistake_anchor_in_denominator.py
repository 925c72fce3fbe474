# audit: task=nt_xent expect=less
# Forgets to mask the anchor itself: exp(1/t) of self-similarity stays in the denominator.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = u @ u.T / temperature
    return F.cross_entropy(sim, torch.arange(2 * n).roll(n))
