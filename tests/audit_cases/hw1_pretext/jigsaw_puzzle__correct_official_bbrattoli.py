# audit: task=jigsaw_puzzle expect=full
# The tile logic of the reference PyTorch jigsaw loader (bbrattoli/JigsawPuzzlePytorch,
# JigsawImageLoader.__getitem__): a crop per cell n (row n // 3, column n % 3), each tile through
# transforms.RandomCrop(tile_size) (offset torch.randint(0, cell - tile + 1) per axis), then
# order = randint(len(permutations)) and data = [tiles[permutations[order][t]] for t in range(9)].
# Adapted: tensors and `generator` instead of PIL and np.random, a loop over the batch, and without
# the loader's colour/grayscale augmentation and per-tile normalisation (outside this task, which
# keeps raw pixels).
def make_jigsaw_batch(images, permutations, tile_size, generator=None):
    b, c, h, w = images.shape
    s = h // 3
    if tile_size > s:
        raise ValueError("tile_size larger than a cell")
    batch, orders = [], []
    for img in images:
        tiles = [None] * 9
        for n in range(9):
            i, j = n // 3, n % 3
            cell = img[:, i * s:(i + 1) * s, j * s:(j + 1) * s]
            top = int(torch.randint(0, s - tile_size + 1, size=(1,), generator=generator))
            left = int(torch.randint(0, s - tile_size + 1, size=(1,), generator=generator))
            tiles[n] = cell[:, top:top + tile_size, left:left + tile_size]
        order = int(torch.randint(len(permutations), (1,), generator=generator))
        data = [tiles[int(permutations[order][t])] for t in range(9)]
        batch.append(torch.stack(data, 0))
        orders.append(order)
    return torch.stack(batch), torch.tensor(orders, dtype=torch.int64)
