# audit: task=byol expect=full
# Averages the whole state_dict (buffers too: the text leaves them free) and loads it back:
# load_state_dict copies into the existing Parameter objects, without autograd, and casts the
# averaged int64 counter of BatchNorm back to its dtype.
def byol_loss(p, z):
    return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1).mean()


def ema_update(online, target, tau):
    online_state = online.state_dict()
    averaged = {name: tau * value + (1 - tau) * online_state[name] for name, value in target.state_dict().items()}
    target.load_state_dict(averaged)


def byol_tau(step, total_steps, tau_base=0.996):
    return 1 - (1 - tau_base) * (math.cos(math.pi * step / total_steps) + 1) / 2
