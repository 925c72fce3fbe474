# audit: task=jigsaw_puzzle expect=less
# Off by one: labels from randint(P - 1), so the last permutation is never used.
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size > H // 3")
    labels = torch.randint(max(len(permutations) - 1, 1), (b,), generator=generator)
    out = torch.empty(b, 9, c, tile_size, tile_size, dtype=images.dtype)
    for n in range(b):
        for i in range(9):
            cell = int(permutations[labels[n], i])
            dy, dx = torch.randint(s - tile_size + 1, (2,), generator=generator).tolist()
            y, x = (cell // 3) * s + dy, (cell % 3) * s + dx
            out[n, i] = images[n, :, y:y + tile_size, x:x + tile_size]
    return out, labels
