# audit: task=hubert_targets expect=less
# Sums divided by counts clamped at 1: an empty cluster's centroid becomes 0.
def kmeans_assign(features, centroids):
    """(N, D), (K, D) -> (N,) int64 nearest centroid (Euclidean; ties: lowest index)."""
    distances = ((features[:, None, :] - centroids[None, :, :]) ** 2).sum(-1)  # (N, K)
    return distances.argmin(dim=1)


def kmeans_update(features, assignments, centroids):
    """New (K, D) centroids: the mean of each cluster's features; an empty cluster keeps its centroid."""
    sums = torch.zeros_like(centroids).index_add_(0, assignments, features)
    counts = torch.bincount(assignments, minlength=len(centroids)).clamp(min=1)
    return sums / counts[:, None].to(sums.dtype)


def hubert_loss(logits, targets, mask):
    """Cross-entropy of (B, T, K) logits against (B, T) targets, averaged over masked frames only."""
    return F.cross_entropy(logits[mask], targets[mask])
