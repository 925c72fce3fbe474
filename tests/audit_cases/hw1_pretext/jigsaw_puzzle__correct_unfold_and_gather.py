# audit: task=jigsaw_puzzle expect=full
# Vectorised: offsets per tile position (same distribution), crops with advanced indexing.
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size larger than a cell")
    labels = torch.randint(0, permutations.shape[0], (b,), generator=generator)
    cells = permutations[labels]  # (B, 9)
    oy = torch.randint(0, s - tile_size + 1, (b, 9), generator=generator)
    ox = torch.randint(0, s - tile_size + 1, (b, 9), generator=generator)
    top = (cells // 3) * s + oy  # (B, 9)
    left = (cells % 3) * s + ox
    r = torch.arange(tile_size)
    rows = (top[:, :, None] + r)[:, :, :, None].expand(b, 9, tile_size, tile_size)
    cols = (left[:, :, None] + r)[:, :, None, :].expand(b, 9, tile_size, tile_size)
    bi = torch.arange(b)[:, None, None, None].expand(b, 9, tile_size, tile_size)
    tiles = images.permute(0, 2, 3, 1)[bi, rows, cols]  # (B, 9, t, t, C)
    return tiles.permute(0, 1, 4, 2, 3).contiguous(), labels
