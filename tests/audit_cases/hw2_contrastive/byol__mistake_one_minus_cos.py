# audit: task=byol expect=less
# Uses 1 - cos instead of 2 - 2 cos (half the paper's loss).
def byol_loss(p, z):
    return (1 - F.cosine_similarity(p, z.detach(), dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_t.mul_(tau).add_(p_o, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
