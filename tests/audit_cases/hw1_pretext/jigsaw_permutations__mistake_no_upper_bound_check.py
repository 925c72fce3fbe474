# audit: task=jigsaw_permutations expect=less
# Only rejects n_permutations < 1; asking for more than n_tiles! rows silently repeats rows.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if n_permutations < 1:
        raise ValueError("need at least one permutation")
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    chosen = [int(torch.randint(len(every), (1,), generator=generator))]
    total = torch.zeros(len(every), dtype=torch.long)
    for _ in range(n_permutations - 1):
        total += (every != every[chosen[-1]]).sum(1)
        score = total.clone()
        score[chosen] = -1
        chosen.append(int(score.argmax()))
    return every[chosen]
