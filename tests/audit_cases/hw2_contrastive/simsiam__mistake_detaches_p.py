# audit: task=simsiam expect=less
# Puts the stop-gradient on the predictions instead of the projections.
def simsiam_loss(p1, p2, z1, z2):
    return -0.5 * F.cosine_similarity(p1.detach(), z2, dim=1).mean() - 0.5 * F.cosine_similarity(p2.detach(), z1, dim=1).mean()
