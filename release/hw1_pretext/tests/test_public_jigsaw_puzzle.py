"""Public tests of task `jigsaw_puzzle`: what `autograder check` runs on your notebook."""

import pytest
import torch

pytestmark = pytest.mark.task("jigsaw_puzzle")


@pytest.mark.weight(2)
def test_public_jigsaw_puzzle__tiles_come_from_the_cells_the_permutation_names(student):
    """tiles[b, i] is cell permutations[labels[b], i] when tiles fill the cells"""
    image = torch.arange(81, dtype=torch.float32).reshape(1, 1, 9, 9)
    permutations = torch.tensor([[1, 2, 0, 4, 5, 3, 7, 8, 6]])  # not its own inverse
    tiles, labels = student.make_jigsaw_batch(image, permutations, 3)
    assert tuple(tiles.shape) == (1, 9, 1, 3, 3), "tiles should have shape (B, 9, C, tile_size, tile_size)"
    for i in range(9):
        cell = int(permutations[0, i])
        assert tiles[0, i, 0, 0, 0] == 27 * (cell // 3) + 3 * (cell % 3), (
            f"tile {i} should be cut from cell {cell}, entry {i} of the drawn permutation"
        )
