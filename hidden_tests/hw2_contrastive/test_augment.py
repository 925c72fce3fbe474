"""Hidden tests of task `augment` (SimCLR's augmentation pipeline and TwoViews).

Random output is never compared with a seeded reference: each property is measured over many
draws on images built so that the property is visible (a constant colour survives cropping and
flipping, so every view of it is one colour whose hue, chroma and grey level the colour jitter and
the grayscale step alone set; a horizontal ramp shows flips; stripes count the crop's width and
height), with binomial tolerances of 5 standard deviations. Each sample is just large enough that
the nearest plausible wrong probability fails with the same 5-sigma confidence
(``draws_to_tell_apart``): drawing views is most of what grading this task costs.

A pipeline may go through 8-bit PIL images (``ToPILImage`` ... ``ToTensor``): its values are exact
only to about one grey level, so every comparison of colours allows ``LEVEL`` or a bound derived
from it.

The worker only draws: the student's transform is called ``n`` times in one round trip
(``call_many``) and the views come back as tensors; every measurement is made here.
"""

import colorsys

import pytest
import torch

from autograder.testing import (
    assert_dtype,
    assert_rate,
    call_many,
    draws_to_tell_apart,
    generator,
    rate_tolerance,
    seed,
)

pytestmark = pytest.mark.task("augment")

LEVEL = 1.5 / 255  # an 8-bit round trip (truncation, then rounding in PIL's own arithmetic)


def luma(rgb: list[float]) -> float:
    """Grey level of a colour, as torchvision's grayscale computes it (ITU-R 601-2)."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def check_view(view, size: int, fn: str) -> torch.Tensor:
    """A view is a (3, size, size) float tensor with values in [0, 1]."""
    assert isinstance(view, torch.Tensor), f"{fn} should return a tensor, not a {type(view).__name__}"
    shape = tuple(view.shape)
    assert shape == (3, size, size), f"{fn} gave a view of shape {shape}: views are (3, size, size)"
    out = view.detach().to(torch.float64)
    assert bool(torch.isfinite(out).all()), f"{fn} gave a view containing inf or nan"
    assert float(out.min()) >= -1e-6 and float(out.max()) <= 1 + 1e-6, "views should stay in [0, 1]"
    return out


def views(student, size: int, image: torch.Tensor, n: int) -> list[torch.Tensor]:
    """``n`` views of ``image`` drawn by ``simclr_augmentation(size)`` in the worker, checked."""
    fn = f"simclr_augmentation({size})"
    return [check_view(v, size, fn) for v in call_many(student, student.simclr_augmentation(size), n, image)]


def constant_colours(student, rgb: list[float], n: int) -> list[list[float]]:
    """Each view of a constant-colour 8x8 image: its three channel means and its spread."""
    image = torch.tensor(rgb, dtype=torch.float32)[:, None, None].expand(3, 8, 8).clone()
    drawn = views(student, 4, image, n)
    return [[float(c) for c in v.mean(dim=(1, 2))] + [float(v.amax() - v.amin())] for v in drawn]


def is_grey(r: float, g: float, b: float) -> bool:
    return abs(r - g) < 1e-5 and abs(g - b) < 1e-5


def flipped(student, n: int) -> list[bool]:
    """Whether each view of a grey left-to-right ramp runs right-to-left."""
    ramp = (0.2 + 0.4 * torch.linspace(0, 1, 40)).expand(3, 32, 40).clone()
    marks = []
    for view in views(student, 24, ramp, n):
        half = view.shape[2] // 2
        marks.append(bool(view[0][:, :half].mean() > view[0][:, -half:].mean()))
    return marks


def edges(line: torch.Tensor) -> int:
    """Sign changes of a line around its mid-level (flat stretches ignored)."""
    centred = line - (line.max() + line.min()) / 2
    signs = centred[centred.abs() > 1e-4].sign()
    return int((signs[1:] != signs[:-1]).sum())


def crop_fractions(student, n: int, side: int = 64) -> list[tuple[float, float]]:
    """Width and height of each crop as fractions of the image, by counting stripe edges: the
    grey image is 0.3 + 0.15 (vertical stripes) + 0.15 (horizontal stripes), 2 pixels each."""
    stripes = ((torch.arange(side) // 2) % 2).float()
    image = (0.3 + 0.15 * stripes[None, :] + 0.15 * stripes[:, None]).expand(3, side, side).clone()
    out = []
    for channel in (view[0] for view in views(student, side, image, n)):
        middle = channel.shape[0] // 2
        out.append((2 * edges(channel[middle, :]) / side, 2 * edges(channel[:, middle]) / side))
    return out


def test_augment__views_are_3_by_size_by_size_in_0_1(student):
    image = torch.rand(3, 40, 48, generator=generator(0))
    for size in (16, 32):
        views(student, size, image, 20)


@pytest.mark.weight(0.5)
def test_augment__views_are_float32_like_the_input(student):
    image = torch.rand(3, 40, 48, generator=generator(0))
    for view in call_many(student, student.simclr_augmentation(16), 5, image):
        check_view(view, 16, "simclr_augmentation(16)")
        assert_dtype(view, torch.float32, "a view of a float32 image")


@pytest.mark.weight(2)
def test_augment__grayscale_is_its_own_step_with_p_0_2(student):
    # Views of a coloured image with three equal channels: 20 %. The step is drawn on its own, so
    # a fifth of the views the jitter left alone are grey too: at least 0.2 * 0.2 = 4 % of all views
    # are grey at the image's own grey level. Grey views that the jitter changed land within LEVEL
    # of that level only when its brightness factor b (uniform on [0.6, 1.4]; contrast and
    # saturation keep the grey level of one colour, the hue shift moves it to at least 0.45) is
    # within LEVEL / 0.45 of the one that undoes the hue shift: probability at most
    # 2 * LEVEL / 0.45 / 0.8 = 3.3 %. A grayscale drawn inside the jitter's RandomApply is
    # therefore grey at the original level in at most 0.2 * 3.3 % = 0.66 % of the views.
    rgb = [0.7, 0.5, 0.4]
    n = draws_to_tell_apart(0.04, 0.0066)
    rows = constant_colours(student, rgb, n)
    grey = [r for r, g, b, _ in rows if is_grey(r, g, b)]
    assert_rate(len(grey), n, 0.2, "views of a strongly coloured image with three equal channels (grayscale)")
    untouched = sum(1 for level in grey if abs(level - luma(rgb)) < LEVEL)
    assert untouched / n >= 0.04 - rate_tolerance(0.04, n), (
        "grey views are (almost) never at the image's own grey level: the grayscale step is not drawn "
        "on its own (p = 0.2, independently of the colour jitter, after it)"
    )


@pytest.mark.weight(2)
def test_augment__colour_jitter_with_p_0_8_and_brightness_0_4(student):
    # A grey 0.5 keeps its colour under contrast, saturation and hue; brightness scales it by a
    # factor uniform on [0.6, 1.4]. Within LEVEL of 0.5: the 20 % of views without jitter, and the
    # jittered ones whose factor is within 2 * LEVEL of 1, with probability 2 * 2 * LEVEL / 0.8.
    # Enough draws to tell p = 0.8 from 0.5, and for each end of [0.3, 0.7] to be reached: a view
    # falls below 0.33 with probability 0.8 * 0.075 = 0.06, so 250 views all miss it with odds 2e-7.
    n = max(draws_to_tell_apart(0.2, 0.5), 250)
    rows = constant_colours(student, [0.5, 0.5, 0.5], n)
    values = [r for r, _, _, _ in rows]
    assert all(spread <= LEVEL for *_, spread in rows), (
        "a constant image should stay constant under crop, flip, jitter and grayscale"
    )
    untouched = sum(1 for v in values if abs(v - 0.5) < LEVEL)
    p_untouched = 0.2 + 0.8 * 4 * LEVEL / 0.8
    assert_rate(untouched, n, p_untouched, "views of a grey image left unchanged (no colour jitter)")
    assert min(values) > 0.3 - LEVEL and max(values) < 0.7 + LEVEL, (
        "brightness changed a grey 0.5 beyond [0.3, 0.7]: the brightness strength should be 0.4"
    )
    assert min(values) < 0.33 and max(values) > 0.67, (
        "brightness never reached the ends of [0.3, 0.7]: the brightness strength should be 0.4"
    )


@pytest.mark.weight(2)
def test_augment__colour_jitter_contrast_0_4_saturation_0_4_and_hue_0_1(student):
    # On one colour (no channel reaches 0 or 1 under any factors), brightness b, contrast c and
    # saturation s scale the chroma (max - min channel) by b * c * s, each uniform on [0.6, 1.4],
    # and keep the hue; the hue step shifts the hue by h, uniform on [-0.1, 0.1], and keeps the
    # chroma. Over the jittered views: the chroma ratio stays in [0.216, 2.744] and some fall outside
    # [0.33, 2.0], beyond the reach of two factors (probability 2.9 % per jittered view, 64 % of the
    # views: 800 views all miss it with odds 3e-7); the hue shift stays within 0.1 and goes beyond
    # 0.07 both ways (9.6 % of the views each). 8-bit pipelines shift the chroma by up to 3 levels
    # and the hue by up to 0.015.
    rgb = [0.5, 0.4, 0.3]
    chroma = max(rgb) - min(rgb)
    hue = colorsys.rgb_to_hsv(*rgb)[0]
    slack = 3 / 255 / chroma
    ratios, shifts = [], []
    for r, g, b, _ in constant_colours(student, rgb, 800):
        if is_grey(r, g, b) or max(abs(u - v) for u, v in zip((r, g, b), rgb, strict=True)) < LEVEL:
            continue  # grayscale, or no visible jitter
        ratios.append((max(r, g, b) - min(r, g, b)) / chroma)
        shifts.append((colorsys.rgb_to_hsv(r, g, b)[0] - hue + 0.5) % 1 - 0.5)
    assert ratios, "no view of a coloured image was changed by the colour jitter"
    assert 0.216 - slack <= min(ratios) and max(ratios) <= 2.744 + slack, (
        "the colour jitter changed the colourfulness of an image beyond what brightness, contrast and "
        "saturation 0.4 can: check the contrast and saturation strengths"
    )
    assert any(not 0.33 <= ratio <= 2.0 for ratio in ratios), (
        "the colour jitter never changed the colourfulness as much as brightness, contrast and "
        "saturation 0.4 together do: check the contrast and saturation strengths"
    )
    assert max(abs(shift) for shift in shifts) <= 0.1 + 0.015, "the hue moved by more than hue = 0.1 allows"
    assert min(shifts) < -0.07 and max(shifts) > 0.07, "the hue never moved as far as hue = 0.1 allows"


@pytest.mark.weight(2)
def test_augment__horizontal_flip_with_p_0_5(student):
    n = draws_to_tell_apart(0.5, 0.2)
    marks = flipped(student, n)
    assert_rate(sum(marks), n, 0.5, "views of a left-to-right ramp that were mirrored left-right")


@pytest.mark.weight(2)
def test_augment__random_resized_crops_cover_8_or_20_percent_to_all_of_the_image(student):
    n = 200
    fractions = crop_fractions(student, n)
    areas = [w * h for w, h in fractions]
    assert min(areas) > 0.08 * 0.6, "some crops are smaller than 8% of the image"
    assert sum(a < 0.35 for a in areas) >= 5, (
        "crops almost never cover less than 35% of the image: use scale (0.08, 1) (or (0.2, 1))"
    )
    assert sum(a > 0.75 for a in areas) >= 5, "crops almost never cover more than 75% of the image"
    assert len({round(a, 2) for a in areas}) > 20, "crop sizes should vary from view to view"


@pytest.mark.weight(0.5)
def test_augment__draws_from_torchs_global_generator(student):
    # Re-seeding torch's global generator reproduces the views; without re-seeding they differ.
    # 20 views in a row, so that a draw from another generator (Python's, NumPy's) shows at once.
    image = torch.rand(3, 20, 20, generator=generator(3))
    transform, fn = student.simclr_augmentation(12), "simclr_augmentation(12)"
    student.new("torch:manual_seed", seed(4))
    first = [check_view(v, 12, fn) for v in call_many(student, transform, 20, image)]
    student.new("torch:manual_seed", seed(4))
    again = [check_view(v, 12, fn) for v in call_many(student, transform, 20, image)]
    following = [check_view(v, 12, fn) for v in call_many(student, transform, 20, image)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True)), (
        "re-seeding torch's global generator (torch.manual_seed) does not reproduce the views: draw "
        "every random number from torch's global generator"
    )
    assert not all(torch.equal(a, b) for a, b in zip(again, following, strict=True)), (
        "the transform gives the same views again and again: draw from torch's global generator"
    )


def test_two_views__returns_two_independent_views(student):
    image = torch.rand(3, 20, 20, generator=generator(1))
    wrapper = student.TwoViews(student.simclr_augmentation(12))
    for pair in call_many(student, wrapper, 5, image):
        assert isinstance(pair, tuple | list) and len(pair) == 2, "TwoViews should return a pair of views"
        for view in pair:
            check_view(view, 12, "each view of TwoViews(simclr_augmentation(12))")
        assert not torch.equal(pair[0], pair[1]), (
            "the two views are equal: call the transform twice (two independent random draws)"
        )
