# audit: task=simsiam expect=less
# Normalises the predictions in place, changing the caller's tensors.
def simsiam_loss(p1, p2, z1, z2):
    p1.div_(p1.norm(dim=1, keepdim=True))
    p2.div_(p2.norm(dim=1, keepdim=True))
    return -0.5 * F.cosine_similarity(p1, z2.detach(), dim=1).mean() - 0.5 * F.cosine_similarity(p2, z1.detach(), dim=1).mean()
