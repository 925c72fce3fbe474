# audit: task=nt_xent expect=full
# A slow but correct loop over the 2N anchors, exactly as the paper's algorithm reads.
def nt_xent_loss(z1, z2, temperature=0.5):
    z = torch.cat([z1, z2], dim=0)
    u = z / z.norm(dim=1, keepdim=True)
    two_n = u.shape[0]
    losses = []
    for i in range(two_n):
        sims = (u @ u[i]) / temperature
        others = torch.cat([sims[:i], sims[i + 1:]])
        positive = sims[(i + two_n // 2) % two_n]
        losses.append(-positive + torch.logsumexp(others, dim=0))
    return torch.stack(losses).mean()
