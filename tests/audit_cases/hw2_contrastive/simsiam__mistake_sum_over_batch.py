# audit: task=simsiam expect=less
# Sums over the batch instead of averaging.
def simsiam_loss(p1, p2, z1, z2):
    return -0.5 * F.cosine_similarity(p1, z2.detach(), dim=1).sum() - 0.5 * F.cosine_similarity(p2, z1.detach(), dim=1).sum()
