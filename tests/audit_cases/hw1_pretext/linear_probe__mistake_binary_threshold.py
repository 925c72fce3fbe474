# audit: task=linear_probe expect=less
# A single-output least-squares regressor thresholded at 0.5: only works for two classes.
def extract_features(encoder, loader):
    modes = {m: m.training for m in encoder.modules()}
    encoder.eval()
    feats, labels = [], []
    with torch.no_grad():
        for x, y in loader:
            feats.append(encoder(x))
            labels.append(y.long())
    for m, t in modes.items():
        m.train(t)
    return torch.cat(feats), torch.cat(labels)


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels):
    x = torch.cat([train_features.double(), torch.ones(len(train_features), 1, dtype=torch.float64)], 1)
    w = torch.linalg.lstsq(x, train_labels.double()[:, None]).solution
    xt = torch.cat([test_features.double(), torch.ones(len(test_features), 1, dtype=torch.float64)], 1)
    predictions = ((xt @ w).squeeze(1) > 0.5).long()
    return float((predictions == test_labels).double().mean())
