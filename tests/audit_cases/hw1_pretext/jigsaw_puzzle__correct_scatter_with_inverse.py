# audit: task=jigsaw_puzzle expect=full
# Cuts the cells in order, then places cell j at position inverse[j] (the same gather result).
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size > H // 3")
    labels = torch.randint(len(permutations), (b,), generator=generator)
    out = torch.empty(b, 9, c, tile_size, tile_size, dtype=images.dtype)
    for n in range(b):
        perm = permutations[labels[n]]
        inverse = torch.argsort(perm)
        for j in range(9):
            dy, dx = torch.randint(s - tile_size + 1, (2,), generator=generator).tolist()
            y, x = (j // 3) * s + dy, (j % 3) * s + dx
            out[n, inverse[j]] = images[n, :, y:y + tile_size, x:x + tile_size]
    return out, labels
