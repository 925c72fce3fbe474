# audit: task=byol expect=less
# Puts tau on the online weights: target <- tau * online + (1 - tau) * target.
def byol_loss(p, z):
    p, z = F.normalize(p, dim=1), F.normalize(z.detach(), dim=1)
    return (2 - 2 * (p * z).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_t.copy_(tau * p_o + (1 - tau) * p_t)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
