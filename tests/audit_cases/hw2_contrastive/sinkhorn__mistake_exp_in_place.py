# audit: task=sinkhorn expect=less
# Scales and exponentiates the scores in place.
@torch.no_grad()
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    q = scores.div_(epsilon).exp_()
    b, k = q.shape
    q = q / q.sum()
    for _ in range(n_iters):
        q = q / q.sum(dim=0, keepdim=True) / k
        q = q / q.sum(dim=1, keepdim=True) / b
    return q * b
