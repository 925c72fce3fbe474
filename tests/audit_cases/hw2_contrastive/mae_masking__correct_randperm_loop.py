# audit: task=mae_masking expect=full
# One randperm per sample, kept tokens in permutation order, bool mask.
def random_masking(x, mask_ratio, generator=None):
    n, length, _ = x.shape
    keep = int(length * (1 - mask_ratio))
    kept, masks, restores = [], [], []
    for i in range(n):
        perm = torch.randperm(length, generator=generator)
        kept.append(x[i, perm[:keep]])
        m = torch.ones(length, dtype=torch.bool)
        m[perm[:keep]] = False
        masks.append(m)
        restore = torch.empty(length, dtype=torch.int64)
        restore[perm] = torch.arange(length)
        restores.append(restore)
    return torch.stack(kept), torch.stack(masks), torch.stack(restores)
