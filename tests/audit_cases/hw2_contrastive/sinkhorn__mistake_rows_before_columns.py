# audit: task=sinkhorn expect=less
# Normalises the rows first, then the columns (the last step breaks the row sums).
@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    q = torch.exp(scores / epsilon)
    b, k = q.shape
    q = q / q.sum()
    for _ in range(n_iters):
        q = q / q.sum(dim=1, keepdim=True) / b
        q = q / q.sum(dim=0, keepdim=True) / k
    return q * b
