# audit: task=knn expect=full
# A plain loop over queries with sorting and a vote list.
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    bank_u = bank / bank.norm(dim=1, keepdim=True)
    out = []
    for f in features:
        sims = bank_u @ (f / f.norm())
        order = torch.argsort(sims, descending=True)[:k]
        votes = [0.0] * num_classes
        for j in order.tolist():
            votes[int(bank_labels[j])] += math.exp(float(sims[j]) / temperature)
        out.append(max(range(num_classes), key=lambda c: votes[c]))
    return torch.tensor(out, dtype=torch.int64)
