# audit: task=linear_probe expect=less
# Standardises the training features with their mean and std but feeds the raw test features to the
# classifier: fine when the features are already centred and of unit scale, wrong on encoder outputs
# with an offset and a scale.
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
    mean, std = train_features.mean(0), train_features.std(0) + 1e-6
    x_train = ((train_features - mean) / std).float()
    classes = int(max(train_labels.max(), test_labels.max())) + 1
    probe = nn.Linear(x_train.shape[1], classes)
    with torch.no_grad():
        probe.weight.zero_()
        probe.bias.zero_()
    optimizer = torch.optim.LBFGS(probe.parameters(), max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(probe(x_train), train_labels.long())
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    with torch.no_grad():
        predictions = probe(test_features.float()).argmax(1)
    return float((predictions == test_labels).float().mean())
