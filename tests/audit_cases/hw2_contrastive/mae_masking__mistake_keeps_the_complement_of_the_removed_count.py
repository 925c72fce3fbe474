# audit: task=mae_masking expect=less
# Counts the removed tokens with int() and keeps the rest: L - floor(L r), not floor(L (1 - r)).
def random_masking(x, mask_ratio, generator=None):
    n, length, dim = x.shape
    keep = length - int(length * mask_ratio)
    noise = torch.rand(n, length, generator=generator)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :keep]
    x_kept = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, dim))
    mask = torch.ones(n, length)
    mask[:, :keep] = 0
    mask = torch.gather(mask, 1, ids_restore)
    return x_kept, mask, ids_restore
