# audit: task=barlow_twins expect=full
# Standardises with F.batch_norm (biased variance, eps inside the sqrt).
def barlow_twins_loss(z1, z2, lambd=0.0051):
    n, d = z1.shape
    a = F.batch_norm(z1, None, None, training=True, eps=1e-5)
    b = F.batch_norm(z2, None, None, training=True, eps=1e-5)
    c = a.T @ b / n
    off_mask = ~torch.eye(d, dtype=torch.bool)
    return ((torch.diagonal(c) - 1) ** 2).sum() + lambd * (c[off_mask] ** 2).sum()
