# audit: task=sinkhorn expect=full
# solo-learn's SinkhornKnopp.forward (solo/utils/sinkhorn_knopp.py, one process: world_size = 1)
# adapted to the task's signature: Q = exp(scores / epsilon).t() (K x B), scaled to sum 1, then per
# iteration the prototypes (rows of Q) to mass 1/K and the samples (columns) to 1/B; returns (Q * B).t().
@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    Q = torch.exp(scores / epsilon).t()
    B = Q.shape[1]
    K = Q.shape[0]
    sum_Q = torch.sum(Q)
    Q /= sum_Q
    for _ in range(n_iters):
        sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
        Q /= sum_of_rows
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()
