# audit: task=log_mel expect=full
# torch.fft.rfft on frames built with explicit reflect indices; filterbank with Python loops.
def mel_filterbank(n_freqs, n_mels, sample_rate, f_min=0.0, f_max=None):
    if f_max is None:
        f_max = sample_rate / 2

    def mel(f):
        return 2595.0 * math.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    step = (mel(f_max) - mel(f_min)) / (n_mels + 1)
    points = [hz(mel(f_min) + i * step) for i in range(n_mels + 2)]
    fb = torch.zeros(n_freqs, n_mels, dtype=torch.float64)
    for b in range(n_freqs):
        f = b * sample_rate / (2 * (n_freqs - 1))
        for m in range(n_mels):
            l, c, r = points[m], points[m + 1], points[m + 2]
            fb[b, m] = max(0.0, min((f - l) / (c - l), (r - f) / (r - c)))
    return fb


def log_mel_spectrogram(waveform, sample_rate=16000, n_fft=400, hop_length=160, n_mels=64, floor=1e-10):
    length = waveform.shape[-1]
    pad = n_fft // 2
    idx = torch.arange(-pad, length + pad)
    idx = torch.where(idx < 0, -idx, idx)
    idx = torch.where(idx >= length, 2 * (length - 1) - idx, idx)
    n_frames = 1 + length // hop_length
    starts = torch.arange(n_frames) * hop_length
    frames = waveform[..., idx[starts[:, None] + torch.arange(n_fft)]]  # (..., frames, n_fft)
    window = torch.hann_window(n_fft, periodic=True, dtype=waveform.dtype)
    power = torch.fft.rfft(frames * window, dim=-1).abs() ** 2  # (..., frames, n_freqs)
    fb = mel_filterbank(n_fft // 2 + 1, n_mels, sample_rate).to(waveform.dtype)
    mel = (power @ fb).transpose(-1, -2)  # (..., n_mels, frames)
    return mel.clamp(min=floor).log()
