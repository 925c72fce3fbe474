# audit: task=simsiam expect=full
# Normalises by hand and detaches z once up front.
def simsiam_loss(p1, p2, z1, z2):
    z1, z2 = z1.detach(), z2.detach()
    d = lambda p, z: -(F.normalize(p, dim=1) * F.normalize(z, dim=1)).sum(dim=1).mean()  # noqa: E731
    return d(p1, z2) / 2 + d(p2, z1) / 2
