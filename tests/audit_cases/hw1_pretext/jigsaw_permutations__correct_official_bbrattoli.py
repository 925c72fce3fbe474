# audit: task=jigsaw_permutations expect=full
# The permutation selection of the reference PyTorch jigsaw code (bbrattoli/JigsawPuzzlePytorch,
# select_permutations.py, selection 'max'): delete the chosen row from P_hat, then scipy's
# cdist(P, P_hat, metric='hamming').mean(axis=0) and argmax. Adapted: the first index from
# `generator` instead of np.random, n_tiles instead of 9, the ValueError the task asks for, and the
# next row computed only while one is needed (the script computes one more, which fails on an
# empty P_hat when n_permutations == n_tiles!).
import numpy as np
from scipy.spatial.distance import cdist


def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("n_permutations must lie in 1..n_tiles!")
    P_hat = np.array(list(itertools.permutations(list(range(n_tiles)), n_tiles)))
    n = P_hat.shape[0]
    for i in range(n_permutations):
        if i == 0:
            j = int(torch.randint(n, (1,), generator=generator))
            P = np.array(P_hat[j]).reshape([1, -1])
        else:
            P = np.concatenate([P, P_hat[j].reshape([1, -1])], axis=0)
        P_hat = np.delete(P_hat, j, axis=0)
        if i + 1 < n_permutations:
            D = cdist(P, P_hat, metric="hamming").mean(axis=0).flatten()
            j = D.argmax()
    return torch.from_numpy(P).long()
