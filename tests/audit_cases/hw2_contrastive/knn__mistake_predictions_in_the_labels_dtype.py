# audit: task=knn expect=less
# Casts the predictions to the labels' dtype "to compare them with labels": int32 or uint8 bank
# labels give int32 or uint8 predictions, where the text promises int64.
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    sim = F.normalize(features, dim=1) @ F.normalize(bank, dim=1).T
    top_sim, top_idx = sim.topk(min(k, bank.shape[0]), dim=1)
    votes = torch.zeros(features.shape[0], num_classes, dtype=sim.dtype)
    votes.scatter_add_(1, bank_labels[top_idx].long(), torch.exp(top_sim / temperature))
    return votes.argmax(dim=1).to(bank_labels.dtype)
