"""Hidden tests of task `augment` (SimCLR's augmentation pipeline and TwoViews).

Random output is never compared with a seeded reference: each property is measured over many
draws on images built so that the property is visible (a constant grey survives cropping and
flipping; a horizontal ramp shows flips; stripes count the crop's width and height), with
binomial tolerances of 5 standard deviations. Each sample is just large enough that the nearest
plausible wrong probability (0.5 for 0.2; the other probability of the recipe) fails with the same
5-sigma confidence (``draws_to_tell_apart``): drawing views is most of what grading this task costs.

The worker only draws: the student's transform is called ``n`` times in one round trip
(``call_many``) and the views come back as tensors; every measurement is made here. The images
are small, so the views cost little to bring back.
"""

import pytest
import torch

from autograder.testing import assert_rate, call_many, draws_to_tell_apart, generator

pytestmark = pytest.mark.task("augment")


def views(student, size: int, image: torch.Tensor, n: int) -> list:
    """``n`` views of ``image`` drawn by ``simclr_augmentation(size)`` in the worker."""
    return call_many(student, student.simclr_augmentation(size), n, image)


def tensors(drawn: list, what: str) -> list[torch.Tensor]:
    for view in drawn:
        assert isinstance(view, torch.Tensor), f"{what} should return a tensor, not a {type(view).__name__}"
    return drawn


def constant_colours(student, rgb: list[float], n: int) -> list[list[float]]:
    """Each view of a constant-colour 24x24 image: its three channel means and its spread."""
    image = torch.tensor(rgb, dtype=torch.float32)[:, None, None].expand(3, 24, 24).clone()
    rows = []
    for out in tensors(views(student, 16, image, n), "simclr_augmentation(16)"):
        assert out.dim() == 3 and out.shape[0] == 3, (
            f"simclr_augmentation(16) gave a view of shape {tuple(out.shape)}: views have 3 channels"
        )
        out = out.detach()
        rows.append([float(c) for c in out.mean(dim=(1, 2))] + [float(out.amax() - out.amin())])
    return rows


def flipped(student, n: int) -> list[bool]:
    """Whether each view of a grey left-to-right ramp runs right-to-left."""
    ramp = (0.2 + 0.4 * torch.linspace(0, 1, 40)).expand(3, 32, 40).clone()
    marks = []
    for view in tensors(views(student, 24, ramp, n), "simclr_augmentation(24)"):
        out = view.detach()[0]
        half = out.shape[1] // 2
        marks.append(bool(out[:, :half].mean() > out[:, -half:].mean()))
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
    for view in tensors(views(student, side, image, n), f"simclr_augmentation({side})"):
        channel = view.detach()[0]
        middle = channel.shape[0] // 2
        out.append((2 * edges(channel[middle, :]) / side, 2 * edges(channel[:, middle]) / side))
    return out


def test_augment__views_are_3_by_size_by_size_floats_in_0_1(student):
    image = torch.rand(3, 40, 48, generator=generator(0))
    for size in (16, 32):
        for view in views(student, size, image, 60):
            assert isinstance(view, torch.Tensor), f"simclr_augmentation({size}) should return a tensor"
            shape = tuple(view.shape)
            assert shape == (3, size, size), f"simclr_augmentation({size}) gave a view of shape {shape}"
            assert view.dtype == torch.float32, f"views should be float32 like the input, not {view.dtype}"
            low, high = float(view.detach().min()), float(view.detach().max())
            assert -1e-6 <= low and high <= 1 + 1e-6, "views should stay in [0, 1]"


@pytest.mark.weight(2)
def test_augment__grayscale_with_p_0_2_gives_three_equal_channels(student):
    n = draws_to_tell_apart(0.2, 0.5)
    rows = constant_colours(student, [0.8, 0.3, 0.2], n)
    grey = sum(1 for r, g, b, _ in rows if abs(r - g) < 1e-5 and abs(g - b) < 1e-5)
    assert_rate(grey, n, 0.2, "views of a strongly coloured image with three equal channels (grayscale)")


@pytest.mark.weight(2)
def test_augment__colour_jitter_with_p_0_8_and_brightness_0_4(student):
    # Enough to tell p = 0.8 from 0.5, and for each end of [0.3, 0.7] to be reached: a view falls
    # below 0.33 with probability 0.8 * 0.075 = 0.06, so 250 views all miss it with odds 2e-7.
    n = max(draws_to_tell_apart(0.2, 0.5), 250)
    rows = constant_colours(student, [0.5, 0.5, 0.5], n)
    values = [r for r, _, _, _ in rows]
    assert all(spread < 1e-4 for *_, spread in rows), (
        "a constant image should stay constant under crop, flip, jitter and grayscale"
    )
    untouched = sum(1 for v in values if abs(v - 0.5) < 1e-4)
    assert_rate(untouched, n, 0.2, "views of a grey image left unchanged (no colour jitter)")
    assert min(values) > 0.3 - 1e-3 and max(values) < 0.7 + 1e-3, (
        "brightness changed a grey 0.5 beyond [0.3, 0.7]: the brightness strength should be 0.4"
    )
    assert min(values) < 0.33 and max(values) > 0.67, (
        "brightness never reached the ends of [0.3, 0.7]: the brightness strength should be 0.4"
    )


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


def test_two_views__returns_two_independent_views(student):
    image = torch.rand(3, 20, 20, generator=generator(1))
    wrapper = student.TwoViews(student.simclr_augmentation(12))
    for pair in call_many(student, wrapper, 5, image):
        assert isinstance(pair, tuple | list) and len(pair) == 2, "TwoViews should return a pair of views"
        assert all(isinstance(v, torch.Tensor) for v in pair), "each view is transform(x), a tensor"
        assert pair[0].shape == (3, 12, 12), "each view is transform(x)"
        assert not torch.equal(pair[0], pair[1]), (
            "the two views are equal: call the transform twice (two independent random draws)"
        )
