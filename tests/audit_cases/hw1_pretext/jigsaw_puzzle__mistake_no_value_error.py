# audit: task=jigsaw_puzzle expect=less
# Never checks tile_size; oversized tiles are clamped to the cell instead of refused.
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    t = min(tile_size, s)
    labels = torch.randint(len(permutations), (b,), generator=generator)
    out = torch.empty(b, 9, c, t, t, dtype=images.dtype)
    for n in range(b):
        for i in range(9):
            cell = int(permutations[labels[n], i])
            dy, dx = torch.randint(s - t + 1, (2,), generator=generator).tolist()
            y, x = (cell // 3) * s + dy, (cell % 3) * s + dx
            out[n, i] = images[n, :, y:y + t, x:x + t]
    return out, labels
