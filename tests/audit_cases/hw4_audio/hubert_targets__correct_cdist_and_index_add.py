# audit: task=hubert_targets expect=full
# torch.cdist for the distances, index_add + bincount for the means, empty clusters restored.
def kmeans_assign(features, centroids):
    return torch.cdist(features, centroids).argmin(dim=1)


def kmeans_update(features, assignments, centroids):
    sums = torch.zeros_like(centroids).index_add(0, assignments, features)
    counts = torch.bincount(assignments, minlength=centroids.shape[0]).to(centroids.dtype)
    return torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], centroids)


def hubert_loss(logits, targets, mask):
    per_frame = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # (B, T)
    return per_frame[mask].mean()
