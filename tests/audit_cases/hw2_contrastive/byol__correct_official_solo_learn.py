# audit: task=byol expect=full
# solo-learn's BYOL pieces adapted to the task's signatures: byol_loss_func (solo/losses/byol.py,
# simplified=True: 2 - 2 * mean cosine, z detached), MomentumUpdater.update (solo/utils/momentum.py:
# mp.data = tau * mp.data + (1 - tau) * op.data under no_grad) and its cosine tau schedule with
# final_tau = 1 (MomentumUpdater.update_tau).
def byol_loss(p, z):
    return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1).mean()


@torch.no_grad()
def ema_update(online, target, tau):
    for op, mp in zip(online.parameters(), target.parameters()):
        mp.data = tau * mp.data + (1 - tau) * op.data


def byol_tau(step, total_steps, tau_base=0.996):
    final_tau = 1.0
    return final_tau - (final_tau - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
