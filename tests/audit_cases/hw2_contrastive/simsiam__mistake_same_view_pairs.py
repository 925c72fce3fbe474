# audit: task=simsiam expect=less
# Compares each prediction with its own view's projection.
def simsiam_loss(p1, p2, z1, z2):
    return -0.5 * F.cosine_similarity(p1, z1.detach(), dim=1).mean() - 0.5 * F.cosine_similarity(p2, z2.detach(), dim=1).mean()
