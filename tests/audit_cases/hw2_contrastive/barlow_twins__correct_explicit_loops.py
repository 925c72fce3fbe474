# audit: task=barlow_twins expect=full
# Entry-by-entry loops over the correlation matrix.
def barlow_twins_loss(z1, z2, lambd=0.0051):
    n, d = z1.shape
    def std(z):
        mu = z.mean(dim=0)
        return (z - mu) / ((z - mu).pow(2).mean(dim=0) + 1e-5).sqrt()
    a, b = std(z1), std(z2)
    loss = z1.new_zeros(())
    for i in range(d):
        for j in range(d):
            c = (a[:, i] * b[:, j]).sum() / n
            loss = loss + ((1 - c) ** 2 if i == j else lambd * c ** 2)
    return loss
