"""hw4_audio's offline corpus: spoken digits synthesised by espeak-ng in many voices.

Every machine with Debian's ``espeak-ng`` (``apt-get install espeak-ng``; CI installs it) can make
the same speaker- and word-labelled corpus: ``SPEAKERS`` voices (an espeak voice, a variant, a
pitch and a speed each) say the ten digits ``REPEATS`` times, each time with a small seeded
change of speed and pitch. Waveforms are resampled to 16 kHz mono float32 in [-1, 1].

The corpus is written once into a cache folder (``$SSL_KIT_CACHE`` or ``~/.cache/ssl-kit``) as one
``.npz`` named by a hash of its recipe, and read from there afterwards: generation takes about
half a minute, reading a fraction of a second.

    python -m autograder.spoken_digits          # build (or find) the corpus, print where it is
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# (espeak voice, variant, base pitch 0-99, base speed in words per minute): eight distinct speakers.
SPEAKERS = (
    ("en-us", "m3", 45, 150),
    ("en-us", "f2", 70, 160),
    ("en-gb", "m1", 35, 140),
    ("en-gb", "f4", 80, 150),
    ("en-gb-scotland", "m7", 40, 135),
    ("en-029", "f1", 65, 145),
    ("en-gb-x-rp", "m2", 55, 170),
    ("en-gb-x-gbclan", "f3", 75, 155),
)
REPEATS = 6
SECONDS = 1.0  # every clip is cut or zero-padded to this length


class CorpusError(RuntimeError):
    """The corpus cannot be made here; the message says why and what to install."""


@dataclass(frozen=True)
class Corpus:
    waveforms: np.ndarray  # (N, SECONDS * SAMPLE_RATE) float32
    speakers: np.ndarray  # (N,) int64, index into SPEAKERS
    words: np.ndarray  # (N,) int64, index into WORDS
    sample_rate: int = SAMPLE_RATE


def recipe(speakers: int = len(SPEAKERS), repeats: int = REPEATS) -> dict[str, object]:
    return {"speakers": SPEAKERS[:speakers], "words": WORDS, "repeats": repeats, "rate": SAMPLE_RATE,
            "seconds": SECONDS, "version": 2}  # fmt: skip


def cache_dir() -> Path:
    return Path(os.environ.get("SSL_KIT_CACHE") or Path.home() / ".cache" / "ssl-kit")


def load(speakers: int = len(SPEAKERS), repeats: int = REPEATS, folder: Path | None = None) -> Corpus:
    """The corpus, from the cache or made now (deterministic: the same recipe gives the same
    arrays on every machine with the same espeak-ng)."""
    spec = recipe(speakers, repeats)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    path = (folder or cache_dir()) / f"spoken_digits_{key}.npz"
    if not path.exists():
        corpus = synthesise(speakers, repeats)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(partial, waveforms=corpus.waveforms, speakers=corpus.speakers, words=corpus.words)
        partial.replace(path)  # a crash never leaves a half-written corpus behind
    with np.load(path) as data:
        return Corpus(data["waveforms"], data["speakers"], data["words"])


def synthesise(speakers: int = len(SPEAKERS), repeats: int = REPEATS) -> Corpus:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise CorpusError(
            "espeak-ng is not installed: `sudo apt-get install espeak-ng` (Debian/Ubuntu), "
            "`brew install espeak-ng` (macOS); or run hw4 in full mode on a downloaded corpus"
        )
    rng = np.random.default_rng(0)
    length = int(SECONDS * SAMPLE_RATE)
    waves, who, what = [], [], []
    for s, (voice, variant, pitch, speed) in enumerate(SPEAKERS[:speakers]):
        for w, word in enumerate(WORDS):
            for _ in range(repeats):
                jitter_speed = int(speed * rng.uniform(0.9, 1.1))
                jitter_pitch = int(np.clip(pitch + rng.integers(-6, 7), 0, 99))
                audio = _speak(binary, word, f"{voice}+{variant}", jitter_speed, jitter_pitch)
                waves.append(_room(_fit(audio, length, rng), rng))
                who.append(s)
                what.append(w)
    return Corpus(np.stack(waves).astype(np.float32), np.array(who, np.int64), np.array(what, np.int64))


def _speak(binary: str, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    done = subprocess.run(
        [binary, "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        capture_output=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0 or not done.stdout:
        raise CorpusError(f"espeak-ng failed for voice {voice}: {done.stderr.decode(errors='replace')[:200]}")
    with wave.open(io.BytesIO(done.stdout)) as clip:
        rate, frames = clip.getframerate(), clip.readframes(clip.getnframes())
    audio = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    return _resample(audio, rate, SAMPLE_RATE)


def _resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, target)
    return resample_poly(audio, target // g, rate // g)


def _fit(audio: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """Cut or zero-pad to ``length`` samples, the speech at a random offset; peak 0.9."""
    audio = np.trim_zeros(np.where(np.abs(audio) < 1e-4, 0.0, audio))
    if len(audio) > length:
        start = (len(audio) - length) // 2
        audio = audio[start : start + length]
    out = np.zeros(length)
    offset = int(rng.integers(0, length - len(audio) + 1))
    out[offset : offset + len(audio)] = audio
    peak = np.abs(out).max()
    return out * (0.9 / peak) if peak > 0 else out


def _room(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A recording, not a synthesiser's output: a random gain and coloured background noise at a
    random signal-to-noise ratio (5-25 dB), so that probes have something to learn."""
    gain = rng.uniform(0.3, 1.0)
    noise = rng.standard_normal(len(audio))
    noise = np.convolve(noise, np.ones(int(rng.integers(1, 8))), mode="same")  # low-pass: coloured
    power = np.mean(audio**2) or 1e-12
    snr = 10 ** (rng.uniform(5, 25) / 10)
    noise *= np.sqrt(power / snr / np.mean(noise**2))
    return np.clip(gain * (audio + noise), -1.0, 1.0)


if __name__ == "__main__":
    corpus = load()
    print(
        f"{len(corpus.waveforms)} clips, {len(SPEAKERS)} speakers x {len(WORDS)} words x {REPEATS}, "
        f"{corpus.sample_rate} Hz, cached in {cache_dir()}"
    )
