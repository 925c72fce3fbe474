# audit: task=relative_patch expect=less
# The size check was written for gap = 1 and hard-codes it (two gaps = 2 pixels): with a wider gap
# an image too small for the pair raises no ValueError (the sampling then fails with another error).
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    _, h, w = image.shape
    if min(h, w) < 3 * patch_size + 2 + 2 * jitter:
        raise ValueError("image too small")
    step = patch_size + gap
    label = int(torch.randint(8, (1,), generator=generator))
    margin = step + jitter
    cy = int(torch.randint(margin, h - patch_size - margin + 1, (1,), generator=generator))
    cx = int(torch.randint(margin, w - patch_size - margin + 1, (1,), generator=generator))
    ny, nx = cy + OFFSETS[label][0] * step, cx + OFFSETS[label][1] * step
    j = torch.randint(-jitter, jitter + 1, (4,), generator=generator).tolist()
    cy, cx, ny, nx = cy + j[0], cx + j[1], ny + j[2], nx + j[3]
    center = image[:, cy:cy + patch_size, cx:cx + patch_size].clone()
    neighbor = image[:, ny:ny + patch_size, nx:nx + patch_size].clone()
    return center, neighbor, label
