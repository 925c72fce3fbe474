# audit: task=jigsaw_puzzle expect=less
# With generator=None draws from a fresh torch.Generator() (the same default seed every call) instead
# of torch's global generator: every unseeded batch is the same.
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    if generator is None:
        generator = torch.Generator()
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size larger than a cell")
    labels = torch.randint(len(permutations), (b,), generator=generator)
    offsets = torch.randint(s - tile_size + 1, (b, 9, 2), generator=generator)
    tiles = images.new_empty(b, 9, c, tile_size, tile_size)
    for n in range(b):
        for i in range(9):
            cell = int(permutations[labels[n], i])
            top = (cell // 3) * s + int(offsets[n, cell, 0])
            left = (cell % 3) * s + int(offsets[n, cell, 1])
            tiles[n, i] = images[n, :, top:top + tile_size, left:left + tile_size]
    return tiles, labels
