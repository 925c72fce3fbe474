# audit: task=knn expect=less
# The kNN monitor of MoCo's CIFAR-10 demo notebook (facebookresearch/moco, colab/moco_cifar10_demo.ipynb,
# `knn_predict`, after Wu et al.'s code) adapted to the task's signature: features normalised here
# (the demo's caller does it), the bank given as (N, D) rows instead of (D, N), and the top class
# returned instead of every class ranked. Its topk(k) needs k <= N (the task uses the whole bank
# when k > N) and its scatter needs int64 labels (the task allows any integer dtype), so it differs
# from the task's definition.
def knn_predict(features, bank, bank_labels, num_classes, k=200, temperature=0.1):
    feature = F.normalize(features, dim=1)
    feature_bank = F.normalize(bank, dim=1).t().contiguous()
    feature_labels, classes, knn_k, knn_t = bank_labels, num_classes, k, temperature
    sim_matrix = torch.mm(feature, feature_bank)
    sim_weight, sim_indices = sim_matrix.topk(k=knn_k, dim=-1)
    sim_labels = torch.gather(feature_labels.expand(feature.size(0), -1), dim=-1, index=sim_indices)
    sim_weight = (sim_weight / knn_t).exp()
    one_hot_label = torch.zeros(feature.size(0) * knn_k, classes, device=sim_labels.device)
    one_hot_label = one_hot_label.scatter(dim=-1, index=sim_labels.view(-1, 1), value=1.0)
    pred_scores = torch.sum(one_hot_label.view(feature.size(0), -1, classes) * sim_weight.unsqueeze(dim=-1), dim=1)
    pred_labels = pred_scores.argsort(dim=-1, descending=True)
    return pred_labels[:, 0]
