# audit: task=relative_patch expect=less
# With generator=None uses a fresh torch.Generator() (the same default seed each call) instead of
# torch's global generator: every unseeded call returns the same pair.
OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def sample_patch_pair(image, patch_size, gap, jitter, generator=None):
    generator = generator or torch.Generator()
    _, h, w = image.shape
    if min(h, w) < 3 * patch_size + 2 * gap + 2 * jitter:
        raise ValueError("image too small")
    step = patch_size + gap
    label = int(torch.randint(8, (1,), generator=generator))
    cy = int(torch.randint(step + jitter, h - patch_size - step - jitter + 1, (1,), generator=generator))
    cx = int(torch.randint(step + jitter, w - patch_size - step - jitter + 1, (1,), generator=generator))
    ny, nx = cy + OFFSETS[label][0] * step, cx + OFFSETS[label][1] * step
    shifts = torch.randint(-jitter, jitter + 1, (4,), generator=generator).tolist()
    cy, cx, ny, nx = cy + shifts[0], cx + shifts[1], ny + shifts[2], nx + shifts[3]
    return (image[:, cy:cy + patch_size, cx:cx + patch_size].clone(),
            image[:, ny:ny + patch_size, nx:nx + patch_size].clone(), label)
