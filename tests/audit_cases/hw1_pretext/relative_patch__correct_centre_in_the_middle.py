# audit: task=relative_patch expect=full
# Keeps the centre at the middle of the image (before its jitter); only label and jitters are random.
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    c, h, w = image.shape
    if h < 3 * patch_size + 2 * gap + 2 * jitter or w < 3 * patch_size + 2 * gap + 2 * jitter:
        raise ValueError("image too small")
    step = patch_size + gap
    label = torch.randint(8, (), generator=generator).item()
    cy, cx = (h - patch_size) // 2, (w - patch_size) // 2
    ny, nx = cy + OFFSETS[label][0] * step, cx + OFFSETS[label][1] * step
    j = torch.randint(-jitter, jitter + 1, (4,), generator=generator)
    cy, cx, ny, nx = cy + int(j[0]), cx + int(j[1]), ny + int(j[2]), nx + int(j[3])
    return (image[:, cy:cy + patch_size, cx:cx + patch_size].clone(),
            image[:, ny:ny + patch_size, nx:nx + patch_size].clone(), label)
