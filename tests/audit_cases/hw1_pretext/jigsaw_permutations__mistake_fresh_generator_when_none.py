# audit: task=jigsaw_permutations expect=less
# With generator=None makes a fresh torch.Generator() (always the same default seed) instead of
# using torch's global generator: every unseeded call returns the same set.
def jigsaw_permutations(n_permutations, n_tiles=9, generator=None):
    if not 1 <= n_permutations <= math.factorial(n_tiles):
        raise ValueError("bad n_permutations")
    generator = generator if generator is not None else torch.Generator()
    every = torch.tensor(list(itertools.permutations(range(n_tiles))))
    chosen = [int(torch.randint(len(every), (1,), generator=generator))]
    total = torch.zeros(len(every), dtype=torch.long)
    for _ in range(n_permutations - 1):
        total += (every != every[chosen[-1]]).sum(1)
        score = total.clone()
        score[chosen] = -1
        chosen.append(int(score.argmax()))
    return every[chosen]
