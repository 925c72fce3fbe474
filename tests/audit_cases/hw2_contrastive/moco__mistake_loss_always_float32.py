# audit: task=moco expect=less
# Computes the loss in float32 whatever the inputs' dtype (a convention slip: only the dtype test's
# share is lost).
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        self.size = size
        self.queue = F.normalize(torch.randn(size, dim, generator=generator), dim=1)
        self.ptr = 0

    def enqueue(self, keys):
        batch = keys.shape[0]
        if batch > self.size:
            raise ValueError("too many keys")
        rows = (self.ptr + torch.arange(batch)) % self.size
        self.queue[rows] = keys.detach()
        self.ptr = (self.ptr + batch) % self.size


def moco_loss(q, k, queue, temperature=0.2):
    q = F.normalize(q.float(), dim=1)
    k = F.normalize(k.detach().float(), dim=1)
    logits = torch.cat([(q * k).sum(dim=1, keepdim=True), q @ queue.detach().float().T], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))
