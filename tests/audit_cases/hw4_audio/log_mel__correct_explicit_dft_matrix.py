# audit: task=log_mel expect=full
# Explicit DFT matrix on frames cut by hand (F.pad reflect + unfold), the filterbank from the
# slopes between consecutive mel points.
def mel_filterbank(n_freqs, n_mels, sample_rate, f_min=0.0, f_max=None):
    f_max = sample_rate / 2 if f_max is None else f_max
    k = torch.arange(n_freqs, dtype=torch.float64)
    freqs = k * sample_rate / (2 * (n_freqs - 1))  # (n_freqs,)
    lo = 2595.0 * math.log10(1.0 + f_min / 700.0)
    hi = 2595.0 * math.log10(1.0 + f_max / 700.0)
    mels = lo + (hi - lo) * torch.arange(n_mels + 2, dtype=torch.float64) / (n_mels + 1)
    hz = 700.0 * (torch.pow(10.0, mels / 2595.0) - 1.0)  # (n_mels + 2,)
    fb = torch.zeros(n_freqs, n_mels, dtype=torch.float64)
    for m in range(n_mels):
        rising = (freqs - hz[m]) / (hz[m + 1] - hz[m])
        falling = (hz[m + 2] - freqs) / (hz[m + 2] - hz[m + 1])
        fb[:, m] = torch.clamp(torch.minimum(rising, falling), min=0.0)
    return fb


def log_mel_spectrogram(waveform, sample_rate=16000, n_fft=400, hop_length=160, n_mels=64, floor=1e-10):
    *lead, length = waveform.shape
    x = waveform.reshape(-1, 1, length)
    x = F.pad(x, (n_fft // 2, n_fft // 2), mode="reflect")[:, 0]  # (N, L + 2 pad)
    frames = x.unfold(-1, n_fft, hop_length)  # (N, frames, n_fft)
    n = torch.arange(n_fft, dtype=torch.float64)
    window = (0.5 - 0.5 * torch.cos(2 * math.pi * n / n_fft)).to(x.dtype)
    k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)
    angle = 2 * math.pi * k[:, None] * n[None, :] / n_fft  # (n_freqs, n_fft)
    cos, sin = torch.cos(angle).to(x.dtype), torch.sin(angle).to(x.dtype)
    w = frames * window
    power = (w @ cos.T) ** 2 + (w @ sin.T) ** 2  # (N, frames, n_freqs)
    mel = power @ mel_filterbank(n_fft // 2 + 1, n_mels, sample_rate).to(x.dtype)  # (N, frames, n_mels)
    out = torch.log(torch.maximum(mel, torch.tensor(floor, dtype=x.dtype)))
    return out.transpose(1, 2).reshape(*lead, n_mels, -1)
