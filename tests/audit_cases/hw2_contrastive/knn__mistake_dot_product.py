# audit: task=knn expect=less
# Ranks and weights by dot products, not cosine similarities.
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    sim = features @ bank.T
    top_sim, top_idx = sim.topk(min(k, bank.shape[0]), dim=1)
    weights = torch.exp(top_sim / temperature)
    votes = torch.zeros(features.shape[0], num_classes, dtype=weights.dtype)
    votes.scatter_add_(1, bank_labels[top_idx], weights)
    return votes.argmax(dim=1)
