# audit: task=byol expect=less
# Averages only the weights and biases of Linear layers: BatchNorm's weight and bias (parameters
# too) are never updated, so the target drifts from the EMA in any network with normalisation.
def byol_loss(p, z):
    p, z = F.normalize(p, dim=1), F.normalize(z.detach(), dim=1)
    return (2 - 2 * (p * z).sum(dim=1)).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for m_o, m_t in zip(online.modules(), target.modules()):
        if isinstance(m_o, nn.Linear):
            m_t.weight.mul_(tau).add_(m_o.weight, alpha=1 - tau)
            if m_t.bias is not None:
                m_t.bias.mul_(tau).add_(m_o.bias, alpha=1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
