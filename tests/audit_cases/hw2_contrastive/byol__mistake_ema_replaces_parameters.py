# audit: task=byol expect=less
# Builds new nn.Parameter objects: an optimiser holding the old ones is cut off.
def byol_loss(p, z):
    p, z = F.normalize(p, dim=1), F.normalize(z.detach(), dim=1)
    return (2 - 2 * (p * z).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for m_o, m_t in zip(online.modules(), target.modules()):
        for name, p_o in list(m_o.named_parameters(recurse=False)):
            setattr(m_t, name, nn.Parameter(tau * getattr(m_t, name) + (1 - tau) * p_o))


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
