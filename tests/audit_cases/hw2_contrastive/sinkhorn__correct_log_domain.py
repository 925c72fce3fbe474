# audit: task=sinkhorn expect=full
# Log-domain iterations with logsumexp, detached input.
def sinkhorn(scores, epsilon=0.05, n_iters=3):
    log_q = scores.detach() / epsilon
    for _ in range(n_iters):
        log_q = log_q - torch.logsumexp(log_q, dim=0, keepdim=True)
        log_q = log_q - torch.logsumexp(log_q, dim=1, keepdim=True)
    return log_q.exp()
