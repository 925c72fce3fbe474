# audit: task=relative_patch expect=less
# Checks and samples both axes with H only (assumes square images).
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    _, h, w = image.shape
    if image.shape[1] < 3 * patch_size + 2 * gap + 2 * jitter:
        raise ValueError("image too small")
    step = patch_size + gap
    label = int(torch.randint(8, (1,), generator=generator))
    margin = step + jitter
    cy = int(torch.randint(margin, h - patch_size - margin + 1, (1,), generator=generator))
    cx = int(torch.randint(margin, h - patch_size - margin + 1, (1,), generator=generator))
    ny, nx = cy + OFFSETS[label][0] * step, cx + OFFSETS[label][1] * step
    j = torch.randint(-jitter, jitter + 1, (4,), generator=generator).tolist()
    cy, cx, ny, nx = cy + j[0], cx + j[1], ny + j[2], nx + j[3]
    center = image[:, cy:cy + patch_size, cx:cx + patch_size]
    neighbor = image[:, ny:ny + patch_size, nx:nx + patch_size]
    return center, neighbor, label
