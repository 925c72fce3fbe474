# audit: task=knn expect=full
# Softmax over the top k (same argmax as exp weights) and one-hot matmul (one_hot needs int64 ids).
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    sim = F.cosine_similarity(features[:, None, :], bank[None, :, :], dim=2)
    k = min(k, bank.shape[0])
    top_sim, top_idx = torch.topk(sim, k, dim=1)
    weights = torch.softmax(top_sim / temperature, dim=1)
    one_hot = F.one_hot(bank_labels[top_idx].long(), num_classes).to(weights.dtype)
    return torch.einsum("mk,mkc->mc", weights, one_hot).argmax(dim=1)
