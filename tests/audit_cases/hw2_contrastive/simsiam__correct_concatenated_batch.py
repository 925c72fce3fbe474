# audit: task=simsiam expect=full
# Both terms as one mean over the concatenated batch (equal batch sizes, so the same value).
def simsiam_loss(p1, p2, z1, z2):
    p = torch.cat([p1, p2])
    z = torch.cat([z2, z1]).detach()
    return -F.cosine_similarity(p, z, dim=1).mean()
