# audit: task=moco expect=less
# Makes a fresh torch.Generator() when none is given: every unseeded queue starts the same
# (the generator's fixed default seed) instead of drawing from torch's global generator.
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        if generator is None:
            generator = torch.Generator()
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
    q = F.normalize(q, dim=1)
    k = F.normalize(k.detach(), dim=1)
    logits = torch.cat([(q * k).sum(dim=1, keepdim=True), q @ queue.detach().T], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))
