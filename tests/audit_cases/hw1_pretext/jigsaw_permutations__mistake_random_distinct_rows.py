# audit: task=jigsaw_permutations expect=less
# Draws distinct random permutations without the greedy Hamming rule.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    rows = []
    while len(rows) < n_permutations:
        p = torch.randperm(n_tiles, generator=generator)
        if all(not torch.equal(p, r) for r in rows):
            rows.append(p)
    return torch.stack(rows)
