"""Public tests of task `log_mel`: what `autograder check` runs on your notebook."""

import math

import pytest
import torch

pytestmark = pytest.mark.task("log_mel")


def test_public_log_mel__filterbank_shape_and_peak(student):
    """mel_filterbank(201, 64, 16000) is (201, 64), values in [0, 1], filter 10 peaks at 1"""
    fb = student.mel_filterbank(201, 64, 16000)
    assert isinstance(fb, torch.Tensor) and fb.shape == (201, 64), "mel_filterbank returns (n_freqs, n_mels)"
    assert bool((fb >= 0).all()) and float(fb.max()) <= 1 + 1e-9, "filter values lie in [0, 1]"
    assert float(fb[0, 0]) == 0.0, "the filter of the lowest band is 0 at 0 Hz"


def test_public_log_mel__silence_gives_log_floor_in_every_band_and_frame(student):
    """a (2, 3200) batch of silence gives (2, 64, 21) values equal to log(floor)"""
    out = student.log_mel_spectrogram(torch.zeros(2, 3200), floor=1e-6)
    assert isinstance(out, torch.Tensor) and out.shape == (2, 64, 21), (
        "a (2, L) waveform gives (2, n_mels, 1 + L // hop_length)"
    )
    assert torch.allclose(
        out.double(), torch.full((2, 64, 21), math.log(1e-6), dtype=torch.float64), atol=1e-4
    ), "silence should give log(floor) everywhere"


@pytest.mark.weight(0.5)
def test_public_log_mel__keeps_float64(student):
    """a float64 waveform gives a float64 log-mel spectrogram"""
    out = student.log_mel_spectrogram(torch.zeros(800, dtype=torch.float64), floor=1e-3)
    assert isinstance(out, torch.Tensor) and out.shape == (64, 6), "a (L,) waveform gives (n_mels, frames)"
    assert torch.allclose(out, torch.full((64, 6), math.log(1e-3), dtype=torch.float64)), (
        "silence gives log(floor)"
    )
    assert out.dtype == torch.float64, "return the waveform's dtype"
