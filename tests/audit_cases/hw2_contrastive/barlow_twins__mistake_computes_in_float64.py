# audit: task=barlow_twins expect=less
# Computes in float64 for accuracy and returns that: a float64 loss for float32 features.
def barlow_twins_loss(z1, z2, lambd=0.0051):
    z1, z2 = z1.double(), z2.double()

    def standardise(z):
        return (z - z.mean(dim=0)) / torch.sqrt(z.var(dim=0, unbiased=False) + 1e-5)

    c = standardise(z1).T @ standardise(z2) / z1.shape[0]
    on_diagonal = (1 - torch.diagonal(c)).pow(2).sum()
    off_diagonal = c.pow(2).sum() - torch.diagonal(c).pow(2).sum()
    return on_diagonal + lambd * off_diagonal
