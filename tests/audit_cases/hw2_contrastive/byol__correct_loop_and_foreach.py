# audit: task=byol expect=full
# Row-by-row cosine loss; EMA through torch._foreach ops under no_grad.
def byol_loss(p, z):
    z = z.detach()
    losses = [2 - 2 * F.cosine_similarity(p[i], z[i], dim=0) for i in range(p.shape[0])]
    return torch.stack(losses).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    t = list(target.parameters())
    torch._foreach_mul_(t, tau)
    torch._foreach_add_(t, list(online.parameters()), alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
