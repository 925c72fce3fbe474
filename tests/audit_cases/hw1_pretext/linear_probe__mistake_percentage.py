# audit: task=linear_probe expect=less
# Returns the accuracy in percent.
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
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(max_iter=1000).fit(train_features.numpy(), train_labels.numpy())
    return 100 * float((torch.from_numpy(clf.predict(test_features.numpy())) == test_labels).float().mean())
