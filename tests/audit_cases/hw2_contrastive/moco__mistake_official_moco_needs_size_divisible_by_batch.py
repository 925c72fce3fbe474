# audit: task=moco expect=less
# The official MoCo (facebookresearch/moco, moco/builder.py: queue init, _dequeue_and_enqueue and
# the logits/labels of forward) adapted to the task's signatures, the queue kept as (size, dim)
# rows instead of (dim, size) columns. Its enqueue asserts `size % B == 0` and never wraps around
# ("for simplicity"), while the task accepts any B <= size and wraps modulo size: the loss is right,
# the queue differs from the task's definition.
class MoCoQueue:
    def __init__(self, dim, size, generator=None):
        self.K = size
        self.queue = nn.functional.normalize(torch.randn(dim, size, generator=generator), dim=0).T
        self.queue_ptr = torch.zeros(1, dtype=torch.long)

    @property
    def ptr(self):
        return int(self.queue_ptr)

    @torch.no_grad()
    def enqueue(self, keys):
        batch_size = keys.shape[0]
        if batch_size > self.K:
            raise ValueError("more keys than rows")
        ptr = int(self.queue_ptr)
        assert self.K % batch_size == 0  # for simplicity
        self.queue[ptr:ptr + batch_size, :] = keys
        ptr = (ptr + batch_size) % self.K
        self.queue_ptr[0] = ptr


def moco_loss(q, k, queue, temperature=0.2):
    q = nn.functional.normalize(q, dim=1)
    with torch.no_grad():
        k = nn.functional.normalize(k, dim=1)
    l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", [q, queue.T.clone().detach()])
    logits = torch.cat([l_pos, l_neg], dim=1) / temperature
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return nn.CrossEntropyLoss()(logits, labels)
