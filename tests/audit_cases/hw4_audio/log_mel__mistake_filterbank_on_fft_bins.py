# audit: task=log_mel expect=less
# Triangles on integer FFT bins (Kaldi/old librosa: floor((n_fft + 1) hz / sr)),
# not on the bins' frequencies.
def mel_filterbank(n_freqs, n_mels, sample_rate, f_min=0.0, f_max=None):
    """Triangular HTK-mel filters (n_freqs, n_mels), peak 1, float64 (see the text above)."""
    f_max = sample_rate / 2 if f_max is None else f_max
    freqs = torch.linspace(0, sample_rate / 2, n_freqs, dtype=torch.float64)  # bin k at k sr / (2 (n - 1))

    def to_mel(f):
        return 2595.0 * math.log10(1.0 + f / 700.0)

    mels = torch.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2, dtype=torch.float64)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = torch.floor((2 * (n_freqs - 1) + 1) * hz / sample_rate)
    k = torch.arange(n_freqs, dtype=torch.float64)[:, None]
    left, centre, right = bins[:-2], bins[1:-1], bins[2:]
    up = (k - left) / (centre - left).clamp(min=1)
    down = (right - k) / (right - centre).clamp(min=1)
    return torch.clamp(torch.minimum(up, down), min=0.0)


def log_mel_spectrogram(waveform, sample_rate=16000, n_fft=400, hop_length=160, n_mels=64, floor=1e-10):
    """(..., L) float waveform -> (..., n_mels, 1 + L // hop_length) log-mel spectrogram, same dtype."""
    leading = waveform.shape[:-1]
    x = waveform.reshape(-1, waveform.shape[-1])
    window = torch.hann_window(n_fft, periodic=True, dtype=x.dtype, device=x.device)
    spec = torch.stft(x, n_fft, hop_length=hop_length, window=window, center=True, pad_mode="reflect",
                      return_complex=True)  # (N, n_fft // 2 + 1, frames)
    power = spec.real ** 2 + spec.imag ** 2
    filters = mel_filterbank(n_fft // 2 + 1, n_mels, sample_rate).to(dtype=x.dtype, device=x.device)
    mel = torch.einsum("nft,fm->nmt", power, filters)
    return torch.log(torch.clamp(mel, min=floor)).reshape(*leading, n_mels, -1)
