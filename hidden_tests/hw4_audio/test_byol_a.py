"""Hidden tests of the bonus task `byol_a` (BYOL-A's augmentations).

The text prescribes every draw and its order, so a seeded student-side generator is replayed here
(`generator(base)` is seeded alike) and the result compared with an oracle. The text writes λ's draw
as `alpha * torch.rand((), generator=generator)` (float32); drawing it in the input's dtype is
accepted too for float64 inputs (it consumes the generator differently, so both replays are tried).
Conventions (dtype, untouched inputs, generator=None using torch's global generator) are small
tests of their own.
"""

import pytest
import torch
import torch.nn.functional as F

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    follows_the_global_generator,
    generator,
    seed,
    student_generator,
)

pytestmark = pytest.mark.task("byol_a")

TOL = {"rtol": 1e-5, "atol": 1e-5}


def mixup_replays(x, memory, alpha, g_seed: int, skip: int = 0):
    """The oracle for each accepted reading of λ's dtype: log((1 - λ) e^x + λ e^m) in float64,
    for the call made after `skip` earlier calls drew from the same generator."""
    outs = []
    for lam_dtype in {torch.float32, x.dtype}:
        g = torch.Generator().manual_seed(g_seed)
        for _ in range(skip):
            torch.rand((), generator=g, dtype=lam_dtype)
            torch.randint(len(memory), (), generator=g)
        lam = float(alpha * torch.rand((), generator=g, dtype=lam_dtype))
        i = int(torch.randint(len(memory), (), generator=g))
        xd, md = x.double(), memory[i].double()
        peak = torch.maximum(xd, md)
        outs.append(peak + torch.log((1 - lam) * torch.exp(xd - peak) + lam * torch.exp(md - peak)))
    return outs


def right_mixup(x, memory, alpha, g_seed: int, skip: int = 0):
    replays = mixup_replays(x, memory, alpha, g_seed, skip)

    def check(out) -> None:
        errors = []
        for want in replays:
            try:
                assert_close(out, want, "log_mixup_exp", **TOL)
                return
            except AssertionError as exc:
                errors.append(exc)
        raise errors[0]

    return check


def crop_oracle(x, virtual_scale, scale, g_seed: int, skip: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(g_seed)
    for _ in range(skip):
        crop_with(x, virtual_scale, scale, g)
    return crop_with(x, virtual_scale, scale, g)


def crop_with(x, virtual_scale, scale, g: torch.Generator) -> torch.Tensor:
    freq, time = x.shape
    canvas_f, canvas_t = int(freq * virtual_scale), int(time * virtual_scale)
    canvas = torch.zeros(canvas_f, canvas_t, dtype=torch.float64)
    top, left = (canvas_f - freq) // 2, (canvas_t - time) // 2
    canvas[top : top + freq, left : left + time] = x.double()
    lo, hi = scale
    s_f = lo + (hi - lo) * float(torch.rand((), generator=g))
    s_t = lo + (hi - lo) * float(torch.rand((), generator=g))
    h, w = min(int(freq * s_f), canvas_f), min(int(time * s_t), canvas_t)
    i = int(torch.randint(canvas_f - h + 1, (), generator=g))
    j = int(torch.randint(canvas_t - w + 1, (), generator=g))
    crop = canvas[i : i + h, j : j + w]
    return F.interpolate(crop[None, None], size=(freq, time), mode="bicubic", align_corners=True)[0, 0]


def spectrogram(base: int, *shape: int, dtype=torch.float64, scale=3.0) -> torch.Tensor:
    return scale * torch.randn(*shape, generator=generator(base), dtype=dtype)


@pytest.mark.weight(2)
@pytest.mark.parametrize("alpha,dtype", [(0.4, torch.float64), (1.0, torch.float32), (0.9, torch.float64)])
def test_log_mixup_exp__mixes_in_the_linear_domain_with_the_prescribed_draws(student, alpha, dtype):
    for s in range(3):
        x = spectrogram(10 + s, 6, 9, dtype=dtype)
        memory = spectrogram(20 + s, 5, 6, 9, dtype=dtype)
        out = student.log_mixup_exp(x, memory, alpha=alpha, generator=student_generator(student, 30 + s))
        right_mixup(x, memory, alpha, seed(30 + s))(out)


def test_log_mixup_exp__default_alpha_is_0_4(student):
    x, memory = spectrogram(1, 4, 5), spectrogram(2, 3, 4, 5)
    out = student.log_mixup_exp(x, memory, generator=student_generator(student, 3))
    right_mixup(x, memory, 0.4, seed(3))(out)


def test_log_mixup_exp__is_stable_for_large_log_energies(student):
    x = 100 + spectrogram(4, 6, 8, dtype=torch.float32)  # e^100 overflows float32
    memory = 95 + spectrogram(5, 3, 6, 8, dtype=torch.float32)
    out = student.log_mixup_exp(x, memory, alpha=0.8, generator=student_generator(student, 6))
    right_mixup(x, memory, 0.8, seed(6))(out)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "shape,virtual_scale,scale",
    [
        ((16, 24), 1.5, (0.6, 1.5)),
        ((7, 13), 1.5, (0.6, 1.5)),
        ((10, 20), 1.3, (1.0, 2.0)),
        ((9, 11), 2.0, (0.3, 0.9)),
    ],
)
def test_random_resize_crop__crops_the_virtual_canvas_with_the_prescribed_draws(
    student, shape, virtual_scale, scale
):
    for s in range(3):
        x = spectrogram(40 + s, *shape)
        out = student.random_resize_crop(
            x, virtual_scale=virtual_scale, scale=scale, generator=student_generator(student, 50 + s)
        )
        assert_close(
            out,
            crop_oracle(x, virtual_scale, scale, seed(50 + s)),
            f"random_resize_crop of a {shape} spectrogram, virtual_scale={virtual_scale}, scale={scale}",
            **TOL,
        )


def test_random_resize_crop__defaults_are_1_5_and_0_6_to_1_5(student):
    x = spectrogram(7, 12, 18)
    out = student.random_resize_crop(x, generator=student_generator(student, 8))
    assert_close(out, crop_oracle(x, 1.5, (0.6, 1.5), seed(8)), "random_resize_crop with its defaults", **TOL)


def test_normalize_spec__subtracts_the_mean_and_divides_by_the_std(student):
    x = spectrogram(9, 8, 10)
    assert_close(student.normalize_spec(x, -4.5, 2.5), (x + 4.5) / 2.5, "normalize_spec(x, -4.5, 2.5)", **TOL)
    mean, std = torch.tensor(1.25, dtype=torch.float64), torch.tensor(0.4, dtype=torch.float64)
    assert_close(
        student.normalize_spec(x, mean, std), (x - 1.25) / 0.4, "normalize_spec with tensor stats", **TOL
    )


# --- conventions: each its own small test, earned only with a right value -------------------------


@pytest.mark.weight(0.5)
def test_byol_a__outputs_keep_the_inputs_dtype(student):
    for dtype in (torch.float32, torch.float64):
        x, memory = spectrogram(11, 6, 9, dtype=dtype), spectrogram(12, 4, 6, 9, dtype=dtype)
        mixed = student.log_mixup_exp(x, memory, generator=student_generator(student, 13))
        right_mixup(x, memory, 0.4, seed(13))(mixed)
        assert_dtype(mixed, dtype, f"log_mixup_exp of {dtype} inputs")
        crop = student.random_resize_crop(x, generator=student_generator(student, 14))
        assert_close(crop, crop_oracle(x, 1.5, (0.6, 1.5), seed(14)), "random_resize_crop", **TOL)
        assert_dtype(crop, dtype, f"random_resize_crop of a {dtype} spectrogram")


@pytest.mark.weight(0.5)
def test_byol_a__inputs_are_left_unchanged(student):
    x, memory = spectrogram(15, 6, 9), spectrogram(16, 4, 6, 9)
    assert_inputs_unchanged(
        student,
        "log_mixup_exp",
        x,
        memory,
        generator=student_generator(student, 17),
        result_check=right_mixup(x, memory, 0.4, seed(17)),
    )
    assert_inputs_unchanged(
        student,
        "normalize_spec",
        x,
        0.5,
        2.0,
        result_check=lambda out: assert_close(out, (x - 0.5) / 2.0, "normalize_spec", **TOL),
    )


def replayed_calls(check_of_call):
    """A check for follows_the_global_generator: its first result is the draw right after seeding,
    its second the draw after one more call (torch's global generator seeded like generator(base))."""
    calls = iter(range(2))

    def check(out) -> None:
        check_of_call(next(calls))(out)

    return check


@pytest.mark.weight(0.5)
def test_byol_a__without_a_generator_uses_torchs_global_generator(student):
    x, memory = spectrogram(18, 6, 9), spectrogram(19, 50, 6, 9)
    reproduced, differ = follows_the_global_generator(
        student,
        "log_mixup_exp",
        20,
        x,
        memory,
        result_check=replayed_calls(lambda skip: right_mixup(x, memory, 0.4, seed(20), skip=skip)),
    )
    assert reproduced, (
        "log_mixup_exp with generator=None: re-seeding torch's global generator must reproduce it"
    )
    assert differ, "log_mixup_exp with generator=None: two calls give the same mix"
    x = spectrogram(21, 12, 16)

    def right_crop(skip):
        return lambda out: assert_close(
            out, crop_oracle(x, 1.5, (0.6, 1.5), seed(22), skip=skip), "random_resize_crop", **TOL
        )

    reproduced, differ = follows_the_global_generator(
        student, "random_resize_crop", 22, x, result_check=replayed_calls(right_crop)
    )
    assert reproduced, (
        "random_resize_crop with generator=None: re-seeding torch's global generator must reproduce it"
    )
    assert differ, "random_resize_crop with generator=None: two calls give the same crop"
