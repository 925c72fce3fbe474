# audit: task=jigsaw_puzzle expect=less
# Puts cell i at position permutations[label, i] (scatter) instead of reading cell permutations[label, i].
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size > H // 3")
    labels = torch.randint(len(permutations), (b,), generator=generator)
    out = torch.empty(b, 9, c, tile_size, tile_size, dtype=images.dtype)
    for n in range(b):
        for i in range(9):
            dy, dx = torch.randint(s - tile_size + 1, (2,), generator=generator).tolist()
            y, x = (i // 3) * s + dy, (i % 3) * s + dx
            out[n, permutations[labels[n], i]] = images[n, :, y:y + tile_size, x:x + tile_size]
    return out, labels
