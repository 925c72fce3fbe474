# audit: task=moco expect=less
# Accepts more keys than rows (later keys silently overwrite earlier ones).
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        self.size = size
        self.queue = F.normalize(torch.randn(size, dim, generator=generator), dim=1)
        self.ptr = 0

    def enqueue(self, keys):
        batch = keys.shape[0]
        rows = (self.ptr + torch.arange(batch)) % self.size
        self.queue[rows] = keys.detach()
        self.ptr = (self.ptr + batch) % self.size


def moco_loss(q, k, queue, temperature=0.2):
    q = F.normalize(q, dim=1)
    k = F.normalize(k.detach(), dim=1)
    logits = torch.cat([(q * k).sum(dim=1, keepdim=True), q @ queue.detach().T], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))
