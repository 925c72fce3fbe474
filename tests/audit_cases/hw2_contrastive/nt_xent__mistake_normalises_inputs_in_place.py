# audit: task=nt_xent expect=less
# Correct value, but normalises the caller's tensors in place.
def nt_xent_loss(z1, z2, temperature=0.5):
    n = z1.shape[0]
    with torch.no_grad():
        z1.div_(z1.norm(dim=1, keepdim=True))
        z2.div_(z2.norm(dim=1, keepdim=True))
    u = torch.cat([z1, z2])
    sim = (u @ u.T / temperature).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(sim, torch.arange(2 * n).roll(n))
