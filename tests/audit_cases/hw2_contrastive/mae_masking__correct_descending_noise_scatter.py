# audit: task=mae_masking expect=full
# Keeps the largest noise values; mask built by scatter.
def random_masking(x, mask_ratio, generator=None):
    n, length, dim = x.shape
    keep = int(length * (1 - mask_ratio))
    noise = torch.rand(n, length, generator=generator)
    ids_shuffle = torch.argsort(noise, dim=1, descending=True)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    x_kept = x[torch.arange(n)[:, None], ids_shuffle[:, :keep]]
    mask = torch.ones(n, length).scatter(1, ids_shuffle[:, :keep], 0.0)
    return x_kept, mask, ids_restore
