# audit: task=byol expect=full
# lucidrains/byol-pytorch adapted to the task's signatures: loss_fn (2 - 2 * dot of normalised
# vectors, then .mean() as in BYOL.forward, the target projection detached) and
# update_moving_average / EMA.update_average (ma_params.data = beta * old + (1 - beta) * new).
def byol_loss(p, z):
    x = F.normalize(p, dim=-1, p=2)
    y = F.normalize(z.detach(), dim=-1, p=2)
    return (2 - 2 * (x * y).sum(dim=-1)).mean()


def ema_update(online, target, tau):
    for current_params, ma_params in zip(online.parameters(), target.parameters()):
        old_weight, up_weight = ma_params.data, current_params.data
        ma_params.data = old_weight * tau + (1 - tau) * up_weight


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
