# audit: task=byol expect=less
# Normalises p and z in place, changing the caller's tensors.
def byol_loss(p, z):
    p.div_(p.norm(dim=1, keepdim=True))
    z.div_(z.norm(dim=1, keepdim=True))
    return (2 - 2 * (p * z.detach()).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_t.mul_(tau).add_(p_o, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
