# audit: task=linear_probe expect=less
# A short SGD probe initialised from torch's global generator: the accuracy depends on the global seed.
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
    k = int(max(train_labels.max(), test_labels.max())) + 1
    probe = nn.Linear(train_features.shape[1], k).to(train_features.dtype)
    order = torch.randperm(len(train_labels))
    opt = torch.optim.SGD(probe.parameters(), lr=0.01)
    with torch.enable_grad():
        for _ in range(20):
            for i in order.split(4):
                loss = F.cross_entropy(probe(train_features[i]), train_labels[i].long())
                opt.zero_grad()
                loss.backward()
                opt.step()
    with torch.no_grad():
        return float((probe(test_features).argmax(1) == test_labels).float().mean())
