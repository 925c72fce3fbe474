# audit: task=moco expect=full
# Builds a new queue tensor key by key; loss as a loop over queries.
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        self.queue = F.normalize(torch.randn(size, dim, generator=generator), dim=1)
        self.ptr = 0

    def enqueue(self, keys):
        if keys.shape[0] > len(self.queue):
            raise ValueError("more keys than rows")
        new = self.queue.clone()
        for key in keys.detach():
            new[self.ptr] = key
            self.ptr = (self.ptr + 1) % len(new)
        self.queue = new


def moco_loss(q, k, queue, temperature=0.2):
    losses = []
    for qi, ki in zip(F.normalize(q, dim=1), F.normalize(k, dim=1).detach()):
        logits = torch.cat([(qi @ ki)[None], queue.detach() @ qi]) / temperature
        losses.append(-torch.log_softmax(logits, dim=0)[0])
    return torch.stack(losses).mean()
