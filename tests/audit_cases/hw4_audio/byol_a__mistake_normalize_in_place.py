# audit: task=byol_a expect=less
# Normalises in place (x.sub_().div_()).
def log_mixup_exp(x, memory, alpha=0.4, generator=None):
    """log((1 - lam) e^x + lam e^m), lam ~ U(0, alpha), m a random row of memory (N, F, T)."""
    lam = alpha * torch.rand((), generator=generator, dtype=x.dtype)
    other = memory[torch.randint(len(memory), (), generator=generator)]
    return torch.logaddexp(torch.log1p(-lam) + x, torch.log(lam) + other)


def random_resize_crop(x, virtual_scale=1.5, scale=(0.6, 1.5), generator=None):
    """BYOL-A's random resize crop of a (F, T) spectrogram from a zero-padded virtual canvas."""
    freq, time = x.shape
    canvas_f, canvas_t = int(freq * virtual_scale), int(time * virtual_scale)
    canvas = torch.zeros(canvas_f, canvas_t, dtype=x.dtype)
    top, left = (canvas_f - freq) // 2, (canvas_t - time) // 2
    canvas[top : top + freq, left : left + time] = x
    lo, hi = scale
    s_f = lo + (hi - lo) * torch.rand((), generator=generator).item()
    s_t = lo + (hi - lo) * torch.rand((), generator=generator).item()
    h, w = min(int(freq * s_f), canvas_f), min(int(time * s_t), canvas_t)
    i = torch.randint(canvas_f - h + 1, (), generator=generator).item()
    j = torch.randint(canvas_t - w + 1, (), generator=generator).item()
    crop = canvas[i : i + h, j : j + w]
    return F.interpolate(crop[None, None], size=(freq, time), mode="bicubic", align_corners=True)[0, 0]


def normalize_spec(x, mean, std):
    """(x - mean) / std."""
    return x.sub_(mean).div_(std)
