# audit: task=simsiam expect=less
# Uses dot products instead of cosines (no normalisation).
def simsiam_loss(p1, p2, z1, z2):
    return -0.5 * (p1 * z2.detach()).sum(dim=1).mean() - 0.5 * (p2 * z1.detach()).sum(dim=1).mean()
