# audit: task=knn expect=less
# Builds the votes with F.one_hot, which accepts only int64 class ids: int32 or uint8 bank labels
# (allowed by the text) raise instead of being voted on.
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    sim = F.normalize(features, dim=1) @ F.normalize(bank, dim=1).T  # (M, N)
    top_sim, top_idx = sim.topk(min(k, bank.shape[0]), dim=1)  # (M, k)
    one_hot = F.one_hot(bank_labels[top_idx], num_classes).to(sim.dtype)  # (M, k, C)
    votes = (one_hot * torch.exp(top_sim / temperature)[..., None]).sum(dim=1)  # (M, C)
    return votes.argmax(dim=1)
