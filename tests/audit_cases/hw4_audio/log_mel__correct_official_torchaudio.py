# audit: task=log_mel expect=full
# torchaudio's functional.melscale_fbanks (mel_scale="htk", norm=None) and
# transforms.Spectrogram(power=2.0) / MelScale, re-implemented in torch (torchaudio/functional/
# functional.py: _hz_to_mel, _mel_to_hz, _create_triangular_filterbank), then log(clamp(., floor)).
# Adapted: the filterbank in float64 as the task asks (torchaudio builds float32); the bins'
# top frequency sample_rate / 2 (torchaudio writes sample_rate // 2, the same for even rates).
def _hz_to_mel(freq):
    return 2595.0 * math.log10(1.0 + (freq / 700.0))


def _mel_to_hz(mels):
    return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)


def _create_triangular_filterbank(all_freqs, f_pts):
    f_diff = f_pts[1:] - f_pts[:-1]  # (n_filter + 1)
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)  # (n_freqs, n_filter + 2)
    zero = torch.zeros(1, dtype=all_freqs.dtype)
    down_slopes = (-1.0 * slopes[:, :-2]) / f_diff[:-1]  # (n_freqs, n_filter)
    up_slopes = slopes[:, 2:] / f_diff[1:]  # (n_freqs, n_filter)
    return torch.max(zero, torch.min(down_slopes, up_slopes))


def mel_filterbank(n_freqs, n_mels, sample_rate, f_min=0.0, f_max=None):
    f_max = f_max if f_max is not None else float(sample_rate / 2)
    all_freqs = torch.linspace(0, sample_rate / 2, n_freqs, dtype=torch.float64)
    m_min, m_max = _hz_to_mel(f_min), _hz_to_mel(f_max)
    m_pts = torch.linspace(m_min, m_max, n_mels + 2, dtype=torch.float64)
    f_pts = _mel_to_hz(m_pts)
    return _create_triangular_filterbank(all_freqs, f_pts)


def log_mel_spectrogram(waveform, sample_rate=16000, n_fft=400, hop_length=160, n_mels=64, floor=1e-10):
    shape = waveform.size()
    x = waveform.reshape(-1, shape[-1])
    window = torch.hann_window(n_fft, dtype=x.dtype)
    spec_f = torch.stft(
        input=x, n_fft=n_fft, hop_length=hop_length, win_length=n_fft, window=window, center=True,
        pad_mode="reflect", normalized=False, onesided=True, return_complex=True,
    )
    spec_f = spec_f.reshape(shape[:-1] + spec_f.shape[-2:])
    specgram = spec_f.abs().pow(2.0)
    fb = mel_filterbank(n_fft // 2 + 1, n_mels, sample_rate).to(x.dtype)
    mel_specgram = torch.matmul(specgram.transpose(-1, -2), fb).transpose(-1, -2)
    return torch.log(torch.clamp(mel_specgram, min=floor))
