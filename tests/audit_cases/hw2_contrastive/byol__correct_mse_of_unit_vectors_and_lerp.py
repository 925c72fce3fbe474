# audit: task=byol expect=full
# Loss as the MSE of normalised vectors (the paper's eq. 2); EMA with lerp_ on .data.
def byol_loss(p, z):
    return (F.normalize(p, dim=1) - F.normalize(z, dim=1).detach()).pow(2).sum(dim=1).mean()


def ema_update(online, target, tau):
    for p_o, p_t in zip(online.parameters(), target.parameters()):
        p_t.data.lerp_(p_o.data, 1 - tau)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (torch.cos(torch.tensor(math.pi * step / total_steps, dtype=torch.float64)) + 1) / 2
