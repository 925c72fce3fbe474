# audit: task=sinkhorn expect=less
# Starts from the scores instead of exp(scores / epsilon).
@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    q = scores.clamp(min=0) + 1e-9
    b, k = q.shape
    q = q / q.sum()
    for _ in range(n_iters):
        q = q / q.sum(dim=0, keepdim=True) / k
        q = q / q.sum(dim=1, keepdim=True) / b
    return q * b
