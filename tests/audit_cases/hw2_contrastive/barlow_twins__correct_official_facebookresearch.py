# audit: task=barlow_twins expect=full
# The paper's code (facebookresearch/barlowtwins, main.py: BarlowTwins.forward and off_diagonal),
# adapted to the task's signature: the model's BatchNorm1d(affine=False) is made per call, the
# batch size is z1's, and there is no all_reduce (one process).
def off_diagonal(x):
    # return a flattened view of the off-diagonal elements of a square matrix
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def barlow_twins_loss(z1, z2, lambd=0.0051):
    bn = nn.BatchNorm1d(z1.shape[1], affine=False)
    # empirical cross-correlation matrix
    c = bn(z1).T @ bn(z2)
    # sum the cross-correlation matrix between all gpus
    c.div_(z1.shape[0])
    on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
    off_diag = off_diagonal(c).pow_(2).sum()
    loss = on_diag + lambd * off_diag
    return loss
