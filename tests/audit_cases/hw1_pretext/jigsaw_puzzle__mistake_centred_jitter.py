# audit: task=jigsaw_puzzle expect=less
# Jitters each crop around the cell's centre by up to half the slack: every offset is reached when
# the slack (cell - tile_size) is even, but never the last one when it is odd.
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size larger than a cell")
    labels = torch.randint(len(permutations), (b,), generator=generator)
    half = (s - tile_size) // 2
    offsets = half + torch.randint(-half, half + 1, (b, 9, 2), generator=generator)  # (B, 9, 2)
    tiles = images.new_empty(b, 9, c, tile_size, tile_size)
    for n in range(b):
        for i in range(9):
            cell = int(permutations[labels[n], i])
            top = (cell // 3) * s + int(offsets[n, cell, 0])
            left = (cell % 3) * s + int(offsets[n, cell, 1])
            tiles[n, i] = images[n, :, top:top + tile_size, left:left + tile_size]
    return tiles, labels
