# audit: task=hubert_targets expect=full
# HuBERT's masked loss as fairseq's HubertCriterion computes it (fairseq/criterions/hubert_criterion.py):
# F.cross_entropy(logp_m, targ_m, reduction="sum") / sample_size, sample_size = targ_m.numel();
# k-means as sklearn's Lloyd step (the expansion ||x||^2 - 2 x.c + ||c||^2, argmin), written in torch.
def kmeans_assign(features, centroids):
    d = (features ** 2).sum(1, keepdim=True) - 2 * features @ centroids.T + (centroids ** 2).sum(1)
    return torch.argmin(d, dim=1)


def kmeans_update(features, assignments, centroids):
    new = centroids.detach().clone()
    for k in assignments.unique().tolist():
        new[k] = features[assignments == k].mean(0)
    return new


def hubert_loss(logits, targets, mask):
    logp_m = logits[mask]  # (N_masked, K)
    targ_m = targets[mask]
    loss_m = F.cross_entropy(logp_m, targ_m, reduction="sum")
    sample_size = targ_m.numel()
    return loss_m / sample_size
