# audit: task=wav2vec2_quantizer expect=full
# fairseq's GumbelVectorQuantizer.forward (fairseq/modules/gumbel_vector_quantizer.py) adapted to
# the task's signature: hard one-hot by scatter in eval, F.gumbel_softmax(hard=True)'s arithmetic in
# training with the text's prescribed draw (fairseq draws with exponential_()), vars as the flat
# (G V, d) codebook; prob_perplexity as in fairseq (log(p + 1e-7)), without its .float() cast.
def gumbel_quantize(logits, codebooks, tau=2.0, training=True, generator=None):
    bsz, tsz, fsz = logits.shape
    groups, num_vars, var_dim = codebooks.shape
    x = logits.reshape(bsz * tsz * groups, -1)
    _, k = x.max(-1)
    hard_x = x.new_zeros(*x.shape).scatter_(-1, k.view(-1, 1), 1.0).view(bsz * tsz, groups, -1)
    if training:
        u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype)
        gumbels = (x + -torch.log(-torch.log(u)).reshape(x.shape)) / tau
        y_soft = gumbels.softmax(-1)
        index = y_soft.max(-1, keepdim=True)[1]
        y_hard = torch.zeros_like(x).scatter_(-1, index, 1.0)
        x = y_hard - y_soft.detach() + y_soft
        codes = index.view(bsz, tsz, groups)
    else:
        x = hard_x
        codes = k.view(bsz, tsz, groups)
    x = x.view(bsz * tsz, -1)
    vars = codebooks.reshape(1, groups * num_vars, var_dim)
    x = x.unsqueeze(-1) * vars
    x = x.view(bsz * tsz, groups, num_vars, -1)
    x = x.sum(-2)
    x = x.view(bsz, tsz, -1)
    return x, codes


def diversity_loss(logits, G, V):
    avg_probs = torch.softmax(logits.reshape(-1, G, V), dim=-1).mean(dim=0)
    prob_perplexity = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-7), dim=-1)).sum()
    return (G * V - prob_perplexity) / (G * V)
