# audit: task=hubert_targets expect=less
# The centroid of largest dot product instead of the nearest one.
def kmeans_assign(features, centroids):
    """(N, D), (K, D) -> (N,) int64 nearest centroid (Euclidean; ties: lowest index)."""
    return (features @ centroids.T).argmax(dim=1)


def kmeans_update(features, assignments, centroids):
    """New (K, D) centroids: the mean of each cluster's features; an empty cluster keeps its centroid."""
    updated = centroids.clone()
    for k in range(len(centroids)):
        members = features[assignments == k]
        if len(members):
            updated[k] = members.mean(dim=0)
    return updated


def hubert_loss(logits, targets, mask):
    """Cross-entropy of (B, T, K) logits against (B, T) targets, averaged over masked frames only."""
    return F.cross_entropy(logits[mask], targets[mask])
