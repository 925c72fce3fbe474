# audit: task=byol_a expect=full
# BYOL-A's RandomResizeCrop (nttcslab/byol-a, byol_a/augmentations.py) on one (F, T) spectrogram:
# canvas centred with // 2, h = clip(int(s_f F), 1, canvas_F), bicubic align_corners=True; numpy /
# random draws replaced by the text's torch draws (the official skips the corner draw when the crop
# fills the canvas; the text always draws). Mixing with logaddexp (the official log(mix + eps) is
# not stable), PrecomputedNorm for the normalisation.
import numpy as np


def log_mixup_exp(x, memory, alpha=0.4, generator=None):
    lam = alpha * torch.rand((), generator=generator)  # float32, as the text writes it
    z = memory[torch.randint(len(memory), (), generator=generator)]
    lam = lam.to(x.dtype)
    return torch.logaddexp(torch.log(1 - lam) + x, torch.log(lam) + z)


def random_resize_crop(x, virtual_scale=1.5, scale=(0.6, 1.5), generator=None):
    lms = x[None]  # (1, F, T)
    virtual_crop_size = [int(s * virtual_scale) for s in lms.shape[-2:]]
    virtual_crop_area = torch.zeros((lms.shape[0], virtual_crop_size[0], virtual_crop_size[1]), dtype=x.dtype)
    _, lh, lw = virtual_crop_area.shape
    c, h, w = lms.shape
    x0, y0 = (lw - w) // 2, (lh - h) // 2
    virtual_crop_area[:, y0 : y0 + h, x0 : x0 + w] = lms
    canvas_h, canvas_w = lh, lw
    src_h, src_w = lms.shape[-2:]
    u_f = float(scale[0] + (scale[1] - scale[0]) * torch.rand((), generator=generator))
    u_t = float(scale[0] + (scale[1] - scale[0]) * torch.rand((), generator=generator))
    h = int(np.clip(int(u_f * src_h), 1, canvas_h))
    w = int(np.clip(int(u_t * src_w), 1, canvas_w))
    i = int(torch.randint(canvas_h - h + 1, (), generator=generator))
    j = int(torch.randint(canvas_w - w + 1, (), generator=generator))
    crop = virtual_crop_area[:, i : i + h, j : j + w]
    return F.interpolate(crop.unsqueeze(0), size=lms.shape[-2:], mode="bicubic", align_corners=True)[0, 0]


def normalize_spec(x, mean, std):
    return (x - mean) / std
