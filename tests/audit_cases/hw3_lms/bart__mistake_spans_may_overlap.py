# audit: task=bart expect=less
# Draws each span's start independently, so spans may overlap; the union of the spans is removed and
# each run of removed tokens becomes one mask: fewer tokens are removed than mask_ratio asks.
def text_infilling(tokens, mask_token_id, mask_ratio=0.3, poisson_lambda=3.0, generator=None):
    """BART's text infilling (Lewis et al., 2020, section 2.2).

    tokens: (T,). Span lengths are drawn from Poisson(poisson_lambda) until round(mask_ratio * T)
    tokens are covered (the last span is cut to fit); the spans sit at random, non-overlapping
    places; each span is replaced by ONE mask token, and a zero-length span inserts one. Removing
    the mask tokens leaves an order-preserving subsequence of the input. Returns a 1-d tensor.
    """
    length = tokens.shape[0]
    budget = round(mask_ratio * length)
    rate = torch.tensor([float(poisson_lambda)])
    spans, covered = [], 0
    while covered < budget:
        span = min(int(torch.poisson(rate, generator=generator)), budget - covered)
        spans.append(span)
        covered += span
    removed = torch.zeros(length, dtype=torch.bool)
    inserts = []
    for span in spans:
        start = int(torch.randint(length - span + 1, (1,), generator=generator))
        if span == 0:
            inserts.append(start)
        removed[start:start + span] = True
    out = []
    for t in range(length + 1):
        out += [mask_token_id] * inserts.count(t)
        if t == length:
            break
        if not removed[t]:
            out.append(int(tokens[t]))
        elif t == 0 or not removed[t - 1]:
            out.append(mask_token_id)
    return torch.tensor(out, dtype=tokens.dtype)


def sentence_permutation(tokens, sep_token_id, generator=None):
    """BART's sentence permutation: a sentence ends with (and includes) sep_token_id, trailing tokens
    form the last sentence; returns the sentences in a uniformly random order. tokens: (T,)."""
    ends = (tokens == sep_token_id).nonzero().flatten() + 1  # (S,) one past each separator
    bounds = [0] + [e for e in ends.tolist() if e < tokens.shape[0]] + [tokens.shape[0]]
    sentences = [tokens[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    order = torch.randperm(len(sentences), generator=generator).tolist()
    return torch.cat([sentences[i] for i in order])


def document_rotation(tokens, generator=None):
    """BART's document rotation: the sequence rotated to start at a uniformly random position."""
    start = int(torch.randint(tokens.shape[0], (1,), generator=generator))
    return torch.cat([tokens[start:], tokens[:start]])
