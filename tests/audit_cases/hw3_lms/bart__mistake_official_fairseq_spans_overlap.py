# audit: task=bart expect=less
# The official code differs from the task's definition: fairseq draws distinct span starts but lets
# spans overlap (a later span runs over an earlier one), so fewer tokens are removed than mask_ratio
# asks (about 0.41 of them for mask_ratio=0.5); the text requires spans that never overlap. And
# add_rolling_noise draws its offset from n + 1 values for n tokens (1 .. n + 1; offsets 1 and n + 1
# both leave the document as it is), so the rotation by 0 is twice as likely as any other.
# fairseq, data/denoising_dataset.py (DenoisingDataset with BART's settings: mask_length="span-poisson",
# replace_length=1, mask_random=0 because the task replaces each span by the mask token only):
# add_whole_word_mask (every token a word start) with add_insertion_noise for the zero-length spans,
# permute_sentences, add_rolling_noise. fairseq's sources carry <bos> ... <eos>, which these functions
# keep in place: the adaptation wraps the tokens in two placeholder ids and strips them afterwards.
# The Categorical over the Poisson pmf draws through torch.multinomial, np.random.randint becomes
# torch.randint, so that `generator` is used.
def _poisson_distribution(poisson_lambda):
    lambda_to_the_k, e_to_the_minus_lambda, k_factorial, ps = 1, math.exp(-poisson_lambda), 1, []
    for k in range(0, 128):
        ps.append(e_to_the_minus_lambda * lambda_to_the_k / k_factorial)
        lambda_to_the_k *= poisson_lambda
        k_factorial *= k + 1
        if ps[-1] < 0.0000001:
            break
    return torch.FloatTensor(ps)


def _add_insertion_noise(tokens, p, mask_idx, generator):
    if p == 0.0:
        return tokens
    num_tokens = len(tokens)
    n = int(math.ceil(num_tokens * p))
    noise_indices = torch.randperm(num_tokens + n - 2, generator=generator)[:n] + 1
    noise_mask = torch.zeros(size=(num_tokens + n,), dtype=torch.bool)
    noise_mask[noise_indices] = 1
    result = torch.LongTensor(n + len(tokens)).fill_(-1)
    result[noise_indices] = mask_idx
    result[~noise_mask] = tokens
    assert (result >= 0).all()
    return result


BOS, EOS = 2**40, 2**40 + 1  # placeholders for fairseq's <bos> and <eos>, never a real id


def _wrap(tokens):
    return torch.cat([torch.tensor([BOS]), tokens, torch.tensor([EOS])])


def _add_whole_word_mask(source, p, poisson_lambda, mask_idx, generator):
    ps = _poisson_distribution(poisson_lambda)
    is_word_start = torch.ones(source.size())
    is_word_start[0] = 0
    is_word_start[-1] = 0
    num_to_mask = int(math.ceil(is_word_start.float().sum() * p))
    num_inserts = 0
    if num_to_mask == 0:
        return source
    lengths = torch.multinomial(ps, num_to_mask, replacement=True, generator=generator)
    cum_length = torch.cumsum(lengths, 0)
    while cum_length[-1] < num_to_mask:
        lengths = torch.cat([lengths, torch.multinomial(ps, num_to_mask, replacement=True, generator=generator)])
        cum_length = torch.cumsum(lengths, 0)
    i = 0
    while cum_length[i] < num_to_mask:
        i += 1
    lengths[i] = num_to_mask - (0 if i == 0 else cum_length[i - 1])
    num_to_mask = i + 1
    lengths = lengths[:num_to_mask]
    lengths = lengths[lengths > 0]
    num_inserts = num_to_mask - lengths.size(0)
    num_to_mask -= num_inserts
    if num_to_mask == 0:
        return _add_insertion_noise(source, num_inserts / source.size(0), mask_idx, generator)
    word_starts = is_word_start.nonzero(as_tuple=False)
    indices = word_starts[torch.randperm(word_starts.size(0), generator=generator)[:num_to_mask]].squeeze(1)
    source_length = source.size(0)
    to_keep = torch.ones(source_length, dtype=torch.bool)
    is_word_start[-1] = 255  # acts as a long length, so spans don't go over the end of doc
    source[indices] = mask_idx
    lengths -= 1
    while indices.size(0) > 0:
        lengths -= is_word_start[indices + 1].long()
        uncompleted = lengths >= 0
        indices = indices[uncompleted] + 1
        lengths = lengths[uncompleted]
        to_keep[indices] = 0
    source = source[to_keep]
    if num_inserts > 0:
        source = _add_insertion_noise(source, num_inserts / source.size(0), mask_idx, generator)
    return source


def text_infilling(tokens, mask_token_id, mask_ratio=0.3, poisson_lambda=3.0, generator=None):
    out = _add_whole_word_mask(_wrap(tokens), mask_ratio, poisson_lambda, mask_token_id, generator)
    return out[1:-1]


def _permute_sentences(source, full_stop_index, generator, p=1.0):
    full_stops = source == full_stop_index
    full_stops[-2] = 1  # pretend it ends with a full stop so the last span is a sentence
    sentence_ends = (full_stops[1:] * ~full_stops[:-1]).nonzero(as_tuple=False) + 2
    result = source.clone()
    num_sentences = sentence_ends.size(0)
    num_to_permute = math.ceil((num_sentences * 2 * p) / 2.0)
    substitutions = torch.randperm(num_sentences, generator=generator)[:num_to_permute]
    ordering = torch.arange(0, num_sentences)
    ordering[substitutions] = substitutions[torch.randperm(num_to_permute, generator=generator)]
    index = 1  # ignore <bos> at start
    for i in ordering:
        sentence = source[(sentence_ends[i - 1] if i > 0 else 1):sentence_ends[i]]
        result[index:index + sentence.size(0)] = sentence
        index += sentence.size(0)
    return result


def sentence_permutation(tokens, sep_token_id, generator=None):
    return _permute_sentences(_wrap(tokens), sep_token_id, generator)[1:-1]


def _add_rolling_noise(tokens, generator):
    offset = int(torch.randint(1, max(1, tokens.size(-1) - 1) + 1, (1,), generator=generator))
    return torch.cat((tokens[0:1], tokens[offset:-1], tokens[1:offset], tokens[-1:]), dim=0)


def document_rotation(tokens, generator=None):
    return _add_rolling_noise(_wrap(tokens), generator)[1:-1]
