# audit: task=relative_patch expect=less
# Draws one jitter per patch and moves the patch by it along both axes (a diagonal shift): each
# axis alone looks uniform, but a patch's vertical and horizontal shifts are always equal.
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    _, h, w = image.shape
    if min(h, w) < 3 * patch_size + 2 * gap + 2 * jitter:
        raise ValueError("image too small")
    step = patch_size + gap
    label = int(torch.randint(8, (1,), generator=generator))
    margin = step + jitter
    cy = int(torch.randint(margin, h - patch_size - margin + 1, (1,), generator=generator))
    cx = int(torch.randint(margin, w - patch_size - margin + 1, (1,), generator=generator))
    ny, nx = cy + OFFSETS[label][0] * step, cx + OFFSETS[label][1] * step
    jc, jn = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
    cy, cx, ny, nx = cy + jc, cx + jc, ny + jn, nx + jn
    center = image[:, cy:cy + patch_size, cx:cx + patch_size].clone()
    neighbor = image[:, ny:ny + patch_size, nx:nx + patch_size].clone()
    return center, neighbor, label
