# audit: task=nt_xent expect=less
# Exponentiates before taking the log: exact at moderate temperatures, inf/nan at 0.01 in float32.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    e = torch.exp(u @ u.T / temperature) * (1 - torch.eye(2 * n, dtype=u.dtype))
    pos = e[torch.arange(2 * n), torch.arange(2 * n).roll(n)]
    return -torch.log(pos / e.sum(dim=1)).mean()
