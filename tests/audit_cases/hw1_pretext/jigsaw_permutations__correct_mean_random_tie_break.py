# audit: task=jigsaw_permutations expect=full
# Mean distance recomputed every step; the first row from randperm; ties broken at random.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    rows = [torch.randperm(n_tiles, generator=generator)]
    used = torch.zeros(len(every), dtype=torch.bool)
    used[(every == rows[0]).all(1)] = True
    while len(rows) < n_permutations:
        mean = (every[:, None, :] != torch.stack(rows)[None]).sum(-1).float().mean(1)
        mean[used] = -1.0
        ties = torch.nonzero(mean == mean.max()).flatten()
        pick = ties[torch.randint(len(ties), (1,), generator=generator)].item()
        used[pick] = True
        rows.append(every[pick])
    return torch.stack(rows).long()
