# audit: task=byol expect=less
# Plain MSE of the raw vectors: the loss depends on their lengths.
def byol_loss(p, z):
    return (p - z.detach()).pow(2).sum(dim=1).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_t.mul_(tau).add_(p_o, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
