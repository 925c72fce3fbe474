# audit: task=nt_xent expect=less
# Drops the positive from the denominator (the decoupled variant), which the spec rules out.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = u @ u.T / temperature
    idx = torch.arange(2 * n)
    pos_idx = (idx + n) % (2 * n)
    pos = sim[idx, pos_idx]
    mask = torch.eye(2 * n, dtype=torch.bool)
    mask[idx, pos_idx] = True
    return (-pos + torch.logsumexp(sim.masked_fill(mask, float("-inf")), dim=1)).mean()
