# audit: task=nt_xent expect=full
# Works on the two halves separately (a common way to write it) and averages both directions.
def _half(a, b, temperature):
    n = a.shape[0]
    pos = (a * b).sum(1) / temperature
    neg_ab = a @ b.T / temperature
    neg_aa = (a @ a.T / temperature).masked_fill(torch.eye(n, dtype=torch.bool), float("-inf"))
    return -pos + torch.logsumexp(torch.cat([neg_ab, neg_aa], dim=1), dim=1)


def nt_xent_loss(z1, z2, temperature=0.5):
    a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    return torch.cat([_half(a, b, temperature), _half(b, a, temperature)]).mean()
