# audit: task=moco expect=full
# Enqueue as two slices around the end; loss via logsumexp.
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        q = torch.randn(size, dim, generator=generator)
        self.queue = q / q.norm(dim=1, keepdim=True)
        self.ptr = 0

    @torch.no_grad()
    def enqueue(self, keys):
        size, b = self.queue.shape[0], keys.shape[0]
        if b > size:
            raise ValueError(f"batch {b} > queue size {size}")
        first = min(b, size - self.ptr)
        self.queue[self.ptr:self.ptr + first] = keys[:first]
        self.queue[:b - first] = keys[first:]
        self.ptr = (self.ptr + b) % size


def moco_loss(q, k, queue, temperature=0.2):
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1).detach()
    pos = (q * k).sum(dim=1) / temperature
    neg = q @ queue.detach().T / temperature
    return (torch.logsumexp(torch.cat([pos[:, None], neg], dim=1), dim=1) - pos).mean()
