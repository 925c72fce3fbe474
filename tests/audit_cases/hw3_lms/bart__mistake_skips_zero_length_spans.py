# audit: task=bart expect=less
# Drops spans of length 0 instead of inserting a mask token for them.
def text_infilling(tokens, mask_token_id, mask_ratio=0.3, poisson_lambda=3.0, generator=None):
    n = len(tokens)
    budget = round(mask_ratio * n)
    spans, covered = [], 0
    while covered < budget:
        span = min(int(torch.poisson(torch.tensor([float(poisson_lambda)]), generator=generator)), budget - covered)
        if span > 0:
            spans.append(span)
        covered += span
    slots = ["keep"] * (n - budget) + list(range(len(spans)))
    slots = [slots[j] for j in torch.randperm(len(slots), generator=generator).tolist()]
    spans.sort()  # which span goes to which slot does not matter for the rate
    out, pos, k = [], 0, 0
    for slot in slots:
        if slot == "keep":
            out.append(int(tokens[pos]))
            pos += 1
        else:
            out.append(mask_token_id)
            pos += spans[k]
            k += 1
    return torch.tensor(out, dtype=tokens.dtype)


def sentence_permutation(tokens, sep_token_id, generator=None):
    sentences, current = [], []
    for t in tokens.tolist():
        current.append(t)
        if t == sep_token_id:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    order = torch.randperm(len(sentences), generator=generator).tolist()
    return torch.tensor([t for i in order for t in sentences[i]], dtype=tokens.dtype)


def document_rotation(tokens, generator=None):
    start = int(torch.randint(len(tokens), (), generator=generator))
    return tokens.roll(-start)
