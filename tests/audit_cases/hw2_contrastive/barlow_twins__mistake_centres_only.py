# audit: task=barlow_twins expect=less
# Centres the features but does not divide by the standard deviation.
def barlow_twins_loss(z1, z2, lambd=0.0051):
    n = z1.shape[0]
    a = (z1 - z1.mean(dim=0)) / torch.sqrt(z1.var(dim=0, unbiased=False) + 1e-5)
    b = (z2 - z2.mean(dim=0))
    c = a.T @ b / n
    on = (1 - torch.diagonal(c)).pow(2).sum()
    off = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on + lambd * off
