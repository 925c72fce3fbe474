# audit: task=moco expect=less
# Writes one slice, or two when the batch runs past the end, but moves the pointer to `size`
# (not 0) when a batch ends exactly at the last row: the writes stay right, .ptr reads `size`.
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        self.size = size
        self.queue = F.normalize(torch.randn(size, dim, generator=generator), dim=1)
        self.ptr = 0

    def enqueue(self, keys):
        batch = keys.shape[0]
        if batch > self.size:
            raise ValueError("too many keys")
        keys = keys.detach()
        end = self.ptr + batch
        if end <= self.size:
            self.queue[self.ptr:end] = keys
        else:
            first = self.size - self.ptr
            self.queue[self.ptr:] = keys[:first]
            self.queue[: end - self.size] = keys[first:]
        self.ptr = end if end <= self.size else end - self.size


def moco_loss(q, k, queue, temperature=0.2):
    q = F.normalize(q, dim=1)
    k = F.normalize(k.detach(), dim=1)
    logits = torch.cat([(q * k).sum(dim=1, keepdim=True), q @ queue.detach().T], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))
