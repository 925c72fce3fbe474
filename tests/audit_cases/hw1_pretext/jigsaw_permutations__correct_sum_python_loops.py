# audit: task=jigsaw_permutations expect=full
# Maximises the SUM of distances with plain Python loops; ties go to the last maximiser.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if n_permutations < 1 or n_permutations > math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    every = list(itertools.permutations(range(n_tiles)))
    first = every[int(torch.randint(len(every), (1,), generator=generator))]
    chosen = [first]
    taken = {first}
    totals = [0] * len(every)
    while len(chosen) < n_permutations:
        last = chosen[-1]
        best, best_i = -1, None
        for i, q in enumerate(every):
            totals[i] += sum(a != b for a, b in zip(q, last))
            if q not in taken and totals[i] >= best:
                best, best_i = totals[i], i
        chosen.append(every[best_i])
        taken.add(every[best_i])
    return torch.tensor(chosen, dtype=torch.int64)
