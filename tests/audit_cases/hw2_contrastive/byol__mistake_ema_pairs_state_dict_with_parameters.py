# audit: task=byol expect=less
# Reads the online weights from state_dict() but updates target.parameters(): the two lists agree
# only while the network has no buffers; after a BatchNorm the online running statistics are
# averaged into the next layer's weights (by broadcasting, silently).
def byol_loss(p, z):
    p, z = F.normalize(p, dim=1), F.normalize(z.detach(), dim=1)
    return (2 - 2 * (p * z).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for w_online, w_target in zip(online.state_dict().values(), target.parameters()):
        w_target.mul_(tau).add_(w_online, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
