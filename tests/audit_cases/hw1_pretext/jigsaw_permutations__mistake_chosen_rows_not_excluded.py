# audit: task=jigsaw_permutations expect=less
# Forgets to exclude rows already chosen, so late steps can pick a row twice.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    chosen = [int(torch.randint(len(every), (1,), generator=generator))]
    total = torch.zeros(len(every), dtype=torch.long)
    for _ in range(n_permutations - 1):
        total += (every != every[chosen[-1]]).sum(1)
        chosen.append(int(total.argmax()))
    return every[chosen]
