# audit: task=bart expect=less
# Draws spans until the budget is reached but never cuts the last one: usually more than
# round(mask_ratio * T) tokens are removed (about 1.5 too many for Poisson(3)).
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
        span = int(torch.poisson(rate, generator=generator))
        spans.append(span)
        covered += span  # the last span is not cut to fit
    budget = min(covered, length)  # the spans remove all they cover
    if spans:
        spans[-1] -= covered - budget
    # Place the spans: the length - budget kept tokens fall into len(spans) + 1 gaps (stars and bars).
    bars = torch.randperm(length - budget + len(spans), generator=generator)[:len(spans)].sort().values
    gaps = torch.cat([bars, torch.tensor([length - budget + len(spans)])]).diff(prepend=torch.tensor([-1])) - 1
    pieces, position = [], 0
    for k, gap in enumerate(gaps.tolist()):
        pieces.append(tokens[position:position + gap])  # kept tokens
        position += gap
        if k < len(spans):
            pieces.append(torch.tensor([mask_token_id], dtype=tokens.dtype))  # one mask per span
            position += spans[k]
    return torch.cat(pieces)


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
