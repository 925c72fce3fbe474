# audit: task=jigsaw_permutations expect=less
# Maximises the MINIMUM distance to the chosen rows instead of the mean.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    chosen = [int(torch.randint(len(every), (1,), generator=generator))]
    nearest = torch.full((len(every),), n_tiles + 1)
    for _ in range(n_permutations - 1):
        nearest = torch.minimum(nearest, (every != every[chosen[-1]]).sum(1))
        score = nearest.clone()
        score[chosen] = -1
        chosen.append(int(score.argmax()))
    return every[chosen]
