# audit: task=simsiam expect=less
# Forgets the stop-gradient on z (the collapse SimSiam warns about).
def simsiam_loss(p1, p2, z1, z2):
    return -0.5 * F.cosine_similarity(p1, z2, dim=1).mean() - 0.5 * F.cosine_similarity(p2, z1, dim=1).mean()
