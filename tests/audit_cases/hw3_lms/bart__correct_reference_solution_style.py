# audit: task=bart expect=full
# Span lengths until the budget, gaps by stars and bars; sentences by torch.tensor_split; rotation by cat.
def text_infilling(tokens, mask_token_id, mask_ratio=0.3, poisson_lambda=3.0, generator=None):
    length = tokens.shape[0]
    budget = round(mask_ratio * length)
    spans, covered = [], 0
    while covered < budget:
        span = min(int(torch.poisson(torch.tensor([float(poisson_lambda)]), generator=generator)), budget - covered)
        spans.append(span)
        covered += span
    total = length - budget + len(spans)
    bars = torch.randperm(total, generator=generator)[:len(spans)].sort().values
    gaps = (torch.cat([bars, torch.tensor([total])]) - torch.cat([torch.tensor([-1]), bars]) - 1).tolist()
    pieces, position = [], 0
    for k, gap in enumerate(gaps):
        pieces.append(tokens[position:position + gap])
        position += gap
        if k < len(spans):
            pieces.append(torch.tensor([mask_token_id], dtype=tokens.dtype))
            position += spans[k]
    return torch.cat(pieces)


def sentence_permutation(tokens, sep_token_id, generator=None):
    ends = ((tokens == sep_token_id).nonzero().flatten() + 1).tolist()
    parts = [p for p in torch.tensor_split(tokens, ends) if len(p) > 0]
    order = torch.randperm(len(parts), generator=generator)
    return torch.cat([parts[i] for i in order])


def document_rotation(tokens, generator=None):
    start = int(torch.randint(tokens.shape[0], (1,), generator=generator))
    return torch.cat([tokens[start:], tokens[:start]])
