# audit: task=linear_probe expect=less
# Concatenates the labels as the loader gave them: int32 labels stay int32 (the text promises int64).
def extract_features(encoder, loader):
    modes = {m: m.training for m in encoder.modules()}
    encoder.eval()
    feats, labels = [], []
    with torch.no_grad():
        for x, y in loader:
            feats.append(encoder(x))
            labels.append(y)
    for m, t in modes.items():
        m.train(t)
    return torch.cat(feats), torch.cat(labels)


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(max_iter=1000).fit(train_features.numpy(), train_labels.numpy())
    return float((torch.from_numpy(clf.predict(test_features.numpy())) == test_labels).float().mean())
