# audit: task=barlow_twins expect=full
# solo-learn's barlow_loss_func (solo/losses/barlow.py), adapted to the task's signature: lamb is
# lambd (default 0.0051) and scale_loss is 1 (the task's loss has no overall scale). A fresh float32
# BatchNorm1d standardises the features, as the paper's code does.
import torch.distributed as dist


def barlow_twins_loss(z1, z2, lambd=0.0051):
    N, D = z1.size()

    # to match the original code
    bn = torch.nn.BatchNorm1d(D, affine=False).to(z1.device)
    z1 = bn(z1)
    z2 = bn(z2)

    corr = torch.einsum("bi, bj -> ij", z1, z2) / N

    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(corr)
        world_size = dist.get_world_size()
        corr /= world_size

    diag = torch.eye(D, device=corr.device)
    cdif = (corr - diag).pow(2)
    cdif[~diag.bool()] *= lambd
    loss = cdif.sum()
    return loss
