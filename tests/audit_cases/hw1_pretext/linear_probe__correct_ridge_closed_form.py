# audit: task=linear_probe expect=full
# Named-module mode bookkeeping with detach(); a ridge-regression classifier on one-hot targets.
def extract_features(encoder, loader):
    was = {name: m.training for name, m in encoder.named_modules()}
    encoder.eval()
    with torch.no_grad():
        pairs = [(encoder(x).detach(), torch.as_tensor(y)) for x, y in loader]
    for name, m in encoder.named_modules():
        m.training = was[name]
    return torch.cat([f for f, _ in pairs]), torch.cat([y for _, y in pairs]).to(torch.int64)


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels):
    x = torch.cat([train_features.double(), torch.ones(len(train_features), 1, dtype=torch.float64)], 1)
    k = int(max(train_labels.max(), test_labels.max())) + 1
    y = F.one_hot(train_labels.long(), k).double()
    w = torch.linalg.solve(x.T @ x + 1e-3 * torch.eye(x.shape[1], dtype=torch.float64), x.T @ y)
    xt = torch.cat([test_features.double(), torch.ones(len(test_features), 1, dtype=torch.float64)], 1)
    return ((xt @ w).argmax(1) == test_labels).double().mean().item()
