# audit: task=sinkhorn expect=full
# SwAV's official code: works on Q^T (K, B), as in the repository.
@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    Q = torch.exp(scores / epsilon).t()  # (K, B)
    B = Q.shape[1]
    K = Q.shape[0]
    Q /= torch.sum(Q)
    for it in range(n_iters):
        sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
        Q /= sum_of_rows
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()
