# audit: task=byol_a expect=full
# Mixing with logsumexp over a stacked pair, the canvas by F.pad, the crop by narrow.
def log_mixup_exp(x, memory, alpha=0.4, generator=None):
    lam = alpha * torch.rand((), generator=generator, dtype=x.dtype)
    row = int(torch.randint(len(memory), (), generator=generator))
    pair = torch.stack([x + torch.log1p(-lam), memory[row] + torch.log(lam)])
    return torch.logsumexp(pair, dim=0)


def random_resize_crop(x, virtual_scale=1.5, scale=(0.6, 1.5), generator=None):
    Fq, Tm = x.shape
    cf, ct = int(Fq * virtual_scale), int(Tm * virtual_scale)
    top, left = (cf - Fq) // 2, (ct - Tm) // 2
    canvas = F.pad(x, (left, ct - Tm - left, top, cf - Fq - top))
    lo, hi = scale
    sf = lo + (hi - lo) * torch.rand((), generator=generator)
    st = lo + (hi - lo) * torch.rand((), generator=generator)
    h = min(int(Fq * float(sf)), cf)
    w = min(int(Tm * float(st)), ct)
    i = int(torch.randint(cf - h + 1, (), generator=generator))
    j = int(torch.randint(ct - w + 1, (), generator=generator))
    crop = canvas.narrow(0, i, h).narrow(1, j, w)
    out = F.interpolate(crop.reshape(1, 1, h, w), size=(Fq, Tm), mode="bicubic", align_corners=True)
    return out.reshape(Fq, Tm)


def normalize_spec(x, mean, std):
    return x.sub(mean).div(std)
