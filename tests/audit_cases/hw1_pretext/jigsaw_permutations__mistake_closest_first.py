# audit: task=jigsaw_permutations expect=less
# Counts positions that AGREE and maximises that: picks the closest permutations.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    chosen = [int(torch.randint(len(every), (1,), generator=generator))]
    total = torch.zeros(len(every), dtype=torch.long)
    for _ in range(n_permutations - 1):
        total += (every == every[chosen[-1]]).sum(1)
        score = total.clone()
        score[chosen] = -1
        chosen.append(int(score.argmax()))
    return every[chosen]
