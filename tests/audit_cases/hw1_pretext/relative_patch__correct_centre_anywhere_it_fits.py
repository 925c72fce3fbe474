# audit: task=relative_patch expect=full
# Jitters first, then puts the centre uniformly anywhere both patches fit for this label;
# returns the label as a 0-d int64 tensor.
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    _, h, w = image.shape
    if min(h, w) < 3 * patch_size + 2 * gap + 2 * jitter:
        raise ValueError("image too small")
    label = int(torch.randint(0, 8, (1,), generator=generator))
    jc = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
    jn = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
    step = patch_size + gap
    d = [OFFSETS[label][axis] * step + jn[axis] - jc[axis] for axis in (0, 1)]  # neighbour - centre
    corner = []
    for axis, size in ((0, h), (1, w)):
        low, high = max(0, -d[axis]), min(size - patch_size, size - patch_size - d[axis])
        corner.append(int(torch.randint(low, high + 1, (1,), generator=generator)))
    cy, cx = corner
    ny, nx = cy + d[0], cx + d[1]
    center = image[:, cy:cy + patch_size, cx:cx + patch_size]
    neighbor = image[:, ny:ny + patch_size, nx:nx + patch_size]
    return center, neighbor, torch.tensor(label)
