# audit: task=sinkhorn expect=less
# Default epsilon 0.1 instead of 0.05.
@torch.no_grad()
def sinkhorn(scores, epsilon=0.1, n_iters=3):
    q = torch.exp(scores / epsilon)
    b, k = q.shape
    q = q / q.sum()
    for _ in range(n_iters):
        q = q / q.sum(dim=0, keepdim=True) / k
        q = q / q.sum(dim=1, keepdim=True) / b
    return q * b
