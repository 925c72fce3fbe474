# audit: task=knn expect=less
# Every neighbour votes with weight 1 (plain majority vote).
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    sim = F.normalize(features, dim=1) @ F.normalize(bank, dim=1).T
    top_sim, top_idx = sim.topk(min(k, bank.shape[0]), dim=1)
    weights = torch.ones_like(top_sim)
    votes = torch.zeros(features.shape[0], num_classes, dtype=weights.dtype)
    votes.scatter_add_(1, bank_labels[top_idx], weights)
    return votes.argmax(dim=1)
