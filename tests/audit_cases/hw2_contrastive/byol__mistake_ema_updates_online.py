# audit: task=byol expect=less
# Mixes the roles: moves the online network towards the target.
def byol_loss(p, z):
    p, z = F.normalize(p, dim=1), F.normalize(z.detach(), dim=1)
    return (2 - 2 * (p * z).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_o.mul_(tau).add_(p_t, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
