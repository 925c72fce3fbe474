# audit: task=linear_probe expect=full
# Training-mode flags saved per module; an SGD probe whose initialisation and order use its own
# seeded generator.
def extract_features(encoder, loader):
    saved = [(m, m.training) for m in encoder.modules()]
    encoder.eval()
    try:
        with torch.no_grad():
            out = [(encoder(x), y) for x, y in loader]
    finally:
        for m, t in saved:
            m.training = t
    return torch.cat([o for o, _ in out]), torch.cat([y for _, y in out]).long()


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels):
    g = torch.Generator().manual_seed(0)
    mu, sd = train_features.mean(0), train_features.std(0) + 1e-6
    x, xt = (train_features - mu) / sd, (test_features - mu) / sd
    k = int(max(train_labels.max(), test_labels.max())) + 1
    w = (0.01 * torch.randn(x.shape[1], k, generator=g, dtype=x.dtype)).requires_grad_(True)
    b = torch.zeros(k, dtype=x.dtype, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    with torch.enable_grad():
        for _ in range(300):
            loss = F.cross_entropy(x @ w + b, train_labels.long())
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return float(((xt @ w + b).argmax(1) == test_labels).float().mean())
