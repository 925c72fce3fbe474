# audit: task=mae_masking expect=less
# Picks the mask at random but gathers the kept tokens with a boolean index, in their original
# order (ids_restore made to match), not in the order of the shuffle.
def random_masking(x, mask_ratio, generator=None):
    n, length, dim = x.shape
    keep = int(length * (1 - mask_ratio))
    noise = torch.rand(n, length, generator=generator)
    mask = torch.ones(n, length)
    mask.scatter_(1, torch.argsort(noise, dim=1)[:, :keep], 0.0)
    x_kept = x[mask == 0].reshape(n, keep, dim)
    order = torch.argsort(mask, dim=1, stable=True)  # kept positions first, each group sorted
    ids_restore = torch.argsort(order, dim=1)
    return x_kept, mask, ids_restore
