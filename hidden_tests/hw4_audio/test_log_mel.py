"""Hidden tests of task `log_mel` (HTK mel filterbank and the log-mel front end): float64 oracles
written from the notebook's definition (the filterbank by its formula with Python loops, the STFT
as an explicit DFT of reflect-padded, periodic-Hann-windowed frames), then the conventions, each
its own small test: the dtype, untouched inputs.

Value tests compare values in float64 with tolerances that admit float32 arithmetic (a filterbank
built in float32, then cast), never the dtype.
"""

import functools
import math

import pytest
import torch

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("log_mel")

FB_TOL = {"rtol": 1e-5, "atol": 1e-5}  # filter values in [0, 1]
LOG_TOL = {"rtol": 1e-4, "atol": 1e-4}  # natural-log energies: float32 rounding is ~1e-6 of them


def hz_to_mel(f: float) -> float:
    return 2595.0 * math.log10(1.0 + f / 700.0)


def mel_to_hz(m: float) -> float:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


@functools.lru_cache(maxsize=32)
def filterbank_oracle(n_freqs: int, n_mels: int, sample_rate: float, f_min: float = 0.0, f_max=None):
    """The text's filterbank, one value at a time."""
    f_max = sample_rate / 2 if f_max is None else f_max
    lo, hi = hz_to_mel(f_min), hz_to_mel(f_max)
    points = [mel_to_hz(lo + (hi - lo) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    fb = torch.zeros(n_freqs, n_mels, dtype=torch.float64)
    for k in range(n_freqs):
        f = k * sample_rate / (2 * (n_freqs - 1))
        for m in range(n_mels):
            left, centre, right = points[m : m + 3]
            fb[k, m] = max(0.0, min((f - left) / (centre - left), (right - f) / (right - centre)))
    return fb


def log_mel_oracle(wave: torch.Tensor, sample_rate=16000, n_fft=400, hop=160, n_mels=64, floor=1e-10):
    """(..., L) -> (..., n_mels, 1 + L // hop) in float64: reflect padding by n_fft // 2 on both
    sides, periodic Hann window, explicit DFT, |X|^2, the filterbank, log(max(., floor))."""
    if wave.dim() > 1:
        return torch.stack([log_mel_oracle(w, sample_rate, n_fft, hop, n_mels, floor) for w in wave])
    x = wave.double().tolist()
    length, pad = len(x), n_fft // 2
    padded = [x[pad - i] for i in range(pad)] + x + [x[length - 2 - i] for i in range(pad)]
    window = [0.5 - 0.5 * math.cos(2 * math.pi * n / n_fft) for n in range(n_fft)]
    frames = torch.tensor(
        [[padded[t * hop + n] * window[n] for n in range(n_fft)] for t in range(1 + length // hop)],
        dtype=torch.float64,
    )  # (frames, n_fft)
    n_freqs = n_fft // 2 + 1
    angle = torch.tensor(
        [[2 * math.pi * k * n / n_fft for n in range(n_fft)] for k in range(n_freqs)], dtype=torch.float64
    )  # (n_freqs, n_fft)
    power = (frames @ torch.cos(angle).T) ** 2 + (frames @ torch.sin(angle).T) ** 2  # (frames, n_freqs)
    mel = power @ filterbank_oracle(n_freqs, n_mels, float(sample_rate))  # (frames, n_mels)
    return torch.log(torch.clamp(mel, min=floor)).T  # (n_mels, frames)


def noise(base: int, *shape: int, dtype=torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=generator(base), dtype=dtype)


def right_log_mel(wave, **params):
    def check(out) -> None:
        assert_close(out, log_mel_oracle(wave, **params), "log_mel_spectrogram", **LOG_TOL)

    return check


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "n_freqs,n_mels,sample_rate,f_min,f_max",
    [
        (201, 64, 16000, 0.0, None),
        (65, 10, 8000, 0.0, None),
        (129, 40, 22050, 300.0, 5000.0),
        (33, 8, 16000, 100.0, None),
    ],
)
def test_mel_filterbank__matches_the_htk_formula(student, n_freqs, n_mels, sample_rate, f_min, f_max):
    kwargs = {"f_min": f_min} if f_max is None else {"f_min": f_min, "f_max": f_max}
    assert_close(
        student.mel_filterbank(n_freqs, n_mels, sample_rate, **kwargs),
        filterbank_oracle(n_freqs, n_mels, float(sample_rate), f_min, f_max),
        f"mel_filterbank({n_freqs}, {n_mels}, {sample_rate}, f_min={f_min}, f_max={f_max})",
        **FB_TOL,
    )


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    "length,sample_rate,n_fft,hop,n_mels",
    [(800, 8000, 128, 32, 20), (1000, 16000, 256, 100, 32), (613, 16000, 64, 16, 12)],
)
def test_log_mel_spectrogram__matches_the_definition(student, length, sample_rate, n_fft, hop, n_mels):
    wave = noise(length, length)
    params = {"sample_rate": sample_rate, "n_fft": n_fft, "hop_length": hop, "n_mels": n_mels}
    assert_close(
        student.log_mel_spectrogram(wave, **params),
        log_mel_oracle(wave, sample_rate, n_fft, hop, n_mels),
        f"log_mel_spectrogram of a {length}-sample waveform with {params}",
        **LOG_TOL,
    )


@pytest.mark.weight(2)
def test_log_mel_spectrogram__defaults_are_16khz_400_160_64(student):
    wave = noise(1, 1600)
    assert_close(
        student.log_mel_spectrogram(wave),
        log_mel_oracle(wave),
        "log_mel_spectrogram with its default arguments",
        **LOG_TOL,
    )


def test_log_mel_spectrogram__keeps_every_leading_dimension(student):
    wave = noise(2, 2, 3, 480)
    params = {"sample_rate": 8000, "n_fft": 64, "hop_length": 32, "n_mels": 10}
    assert_close(
        student.log_mel_spectrogram(wave, **params),
        log_mel_oracle(wave, 8000, 64, 32, 10),
        "log_mel_spectrogram of a (2, 3, L) batch: (2, 3, n_mels, frames)",
        **LOG_TOL,
    )


def test_log_mel_spectrogram__takes_the_log_of_max_energy_floor(student):
    t = torch.arange(800, dtype=torch.float64) / 8000
    wave = torch.sin(2 * math.pi * 1000 * t) + 1e-4 * noise(3, 800)  # loud 1 kHz band, quiet elsewhere
    params = {"sample_rate": 8000, "n_fft": 128, "hop_length": 64, "n_mels": 16}
    for floor in (1e-2, 1e-5):
        assert_close(
            student.log_mel_spectrogram(wave, floor=floor, **params),
            log_mel_oracle(wave, 8000, 128, 64, 16, floor),
            f"log_mel_spectrogram with floor={floor} (log of max(mel energy, floor))",
            **LOG_TOL,
        )
    silence = torch.zeros(2, 400, dtype=torch.float64)
    assert_close(
        student.log_mel_spectrogram(silence, floor=1e-6, **params),
        torch.full((2, 16, 7), math.log(1e-6), dtype=torch.float64),
        "log_mel_spectrogram of silence is log(floor) everywhere",
        **LOG_TOL,
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_mel_filterbank__is_float64(student):
    fb = student.mel_filterbank(65, 10, 8000)
    assert_close(fb, filterbank_oracle(65, 10, 8000.0), "mel_filterbank(65, 10, 8000)", **FB_TOL)
    assert_dtype(fb, torch.float64, "mel_filterbank")


@pytest.mark.weight(0.5)
def test_log_mel_spectrogram__keeps_the_waveforms_dtype(student):
    params = {"sample_rate": 8000, "n_fft": 128, "hop_length": 32, "n_mels": 20}
    for dtype in (torch.float32, torch.float64):
        wave = noise(4, 2, 400, dtype=dtype)
        out = student.log_mel_spectrogram(wave, **params)
        want = log_mel_oracle(wave, 8000, 128, 32, 20)
        assert_close(out, want, f"log_mel_spectrogram of {dtype}", **LOG_TOL)
        assert_dtype(out, dtype, f"log_mel_spectrogram of a {dtype} waveform")


@pytest.mark.weight(0.5)
def test_log_mel_spectrogram__does_not_modify_the_waveform(student):
    wave = noise(5, 2, 400)
    params = {"sample_rate": 8000, "n_fft": 128, "hop_length": 32, "n_mels": 20}
    check = right_log_mel(wave, sample_rate=8000, n_fft=128, hop=32, n_mels=20)
    assert_inputs_unchanged(student, "log_mel_spectrogram", wave, result_check=check, **params)
