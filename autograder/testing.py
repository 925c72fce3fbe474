"""Helpers for writing hidden tests: readable failures, remote probes.

Every assertion message here is safe to show a student: it says what is wrong with the result,
never how the test computed what it expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from autograder.sandbox.client import Callee, RemoteNamespace, StudentError, call, call_repeatedly
from autograder.seeds import SEED_VARIABLE, seed  # noqa: F401 - re-exported for hidden tests


def generator(base: int) -> torch.Generator:
    """A seeded generator for building test inputs (see ``autograder.seeds.seed``: drawn per
    submission)."""
    return torch.Generator().manual_seed(seed(base))


def scalar(value: Any, fn: str) -> torch.Tensor:
    """Check that ``fn`` returned a 0-d tensor. The dtype is a convention with its own test
    (``assert_dtype``): a value test never fails on it (docs/authoring.md, "Credit")."""
    if not isinstance(value, torch.Tensor):
        raise AssertionError(f"{fn} should return a 0-d tensor, not a {type(value).__name__}")
    if value.dim() != 0:
        raise AssertionError(f"{fn} should return a 0-d tensor, not one of shape {tuple(value.shape)}")
    return value


def assert_dtype(value: Any, dtype: torch.dtype, what: str) -> None:
    """The convention test's own check, made after the same call's value was checked."""
    if not isinstance(value, torch.Tensor):
        raise AssertionError(f"{what}: expected a tensor, got a {type(value).__name__}")
    if value.dtype != dtype:
        raise AssertionError(f"{what}: dtype {value.dtype}, expected {dtype}")


def assert_close(
    actual: Any, expected: torch.Tensor | float, what: str, *, rtol: float = 1e-5, atol: float = 1e-6
) -> None:
    expected_t = torch.as_tensor(expected, dtype=torch.float64)
    if not isinstance(actual, torch.Tensor):
        raise AssertionError(f"{what}: expected a tensor, got a {type(actual).__name__}")
    if actual.shape != expected_t.shape:
        raise AssertionError(f"{what}: shape {tuple(actual.shape)}, expected {tuple(expected_t.shape)}")
    got = actual.detach().to(torch.float64)
    if not torch.isfinite(got).all():
        raise AssertionError(f"{what}: the result contains inf or nan")
    if not torch.allclose(got, expected_t, rtol=rtol, atol=atol):
        # Where, never by how much: the size of the error would turn feedback into an oracle.
        wrong = int((~torch.isclose(got, expected_t, rtol=rtol, atol=atol)).sum())
        where = "the value is" if got.numel() == 1 else f"{wrong} of {got.numel()} values are"
        raise AssertionError(f"{what}: {where} not the correct result")


def changed_inputs(
    student: RemoteNamespace, fn: str, *args: Any, result_check: Callable[[Any], None], **kwargs: Any
) -> list[str]:
    """Which tensor arguments ``fn`` modified in place: the worker returns the arguments as the
    call left them, and they are compared here with what was sent (which only crossed as bytes, so
    the call cannot have touched it). ``result_check(result)`` must pass first: a side condition
    earns nothing for a call that does not also return the right value."""
    result, args_after, kwargs_after = call(getattr(student, fn), args, kwargs, mode="inspect")
    result_check(result)
    sent = [*args, *kwargs.values()]
    after = [*args_after, *(kwargs_after.get(k) for k in kwargs)]
    names = [f"argument {i + 1}" for i in range(len(args))] + [f"`{k}`" for k in kwargs]
    return [
        n
        for n, b, a in zip(names, sent, after, strict=True)
        if isinstance(b, torch.Tensor) and not _same(b.detach(), a)
    ]


def assert_inputs_unchanged(
    student: RemoteNamespace, fn: str, *args: Any, result_check: Callable[[Any], None], **kwargs: Any
) -> None:
    """``fn(*args, **kwargs)`` returns a right value (``result_check`` raises AssertionError
    otherwise) and leaves its tensor arguments as they were."""
    changed = changed_inputs(student, fn, *args, result_check=result_check, **kwargs)
    if changed:
        raise AssertionError(f"{fn} modified its input in place ({', '.join(changed)}); work on a copy")


def expect_error(call: Callable[[], Any], type_name: str, when: str, *, valid: Callable[[], None]) -> None:
    """``call()`` must raise ``type_name`` (or a subclass) inside the student's code, and ``valid()``
    (a call with good input whose value it checks) must pass: raising on everything earns nothing."""
    valid()
    try:
        call()
    except StudentError as exc:
        if exc.is_a(type_name):
            return
        raise AssertionError(f"{when}: expected {type_name}, but {exc.type_name} was raised") from None
    raise AssertionError(f"{when}: expected {type_name}, but nothing was raised")


def call_many(student: RemoteNamespace, fn: str | Callee, times: int, *args: Any, **kwargs: Any) -> list[Any]:
    """``times`` calls of ``fn(*args, **kwargs)`` made inside the worker in one round trip (for rates
    measured over many random draws); a ``generator`` handle among the arguments is drawn from in
    turn, so the calls are independent draws. The results come back as plain data: every
    measurement on them is made here, in the trusted process."""
    callee = getattr(student, fn) if isinstance(fn, str) else fn
    return call_repeatedly(callee, times, args, kwargs)


def student_generator(student: RemoteNamespace, base: int) -> Any:
    """A seeded generator inside the worker (a handle to pass as ``generator=``), seeded like
    ``generator(base)`` so the seed sweep shifts it too."""
    return student.generator(seed(base))


def rate_tolerance(p: float, n: int, sigmas: float = 5.0) -> float:
    """How far an observed rate of ``n`` independent draws with probability ``p`` may stray from
    ``p``: ``sigmas`` binomial standard deviations (5 sigmas: fails less than once in a million)."""
    return sigmas * (p * (1 - p) / n) ** 0.5


def draws_to_tell_apart(p: float, wrong: float, sigmas: float = 5.0) -> int:
    """The fewest draws for which a rate accepted within ``rate_tolerance(p, n, sigmas)`` of the
    right probability ``p`` also rejects the probability ``wrong`` with the same confidence: the two
    ``sigmas``-wide bands around ``p`` and ``wrong`` just stop overlapping. Random tests size their
    samples with it, so every catalogued mistake fails as surely as a right answer passes."""
    spread = (p * (1 - p)) ** 0.5 + (wrong * (1 - wrong)) ** 0.5
    return math.ceil((sigmas * spread / abs(p - wrong)) ** 2)


def assert_rate(hits: int, n: int, p: float, what: str) -> None:
    """``hits`` successes out of ``n`` draws must be a rate within ``rate_tolerance(p, n)`` of ``p``."""
    rate = hits / n
    if abs(rate - p) > rate_tolerance(p, n):
        raise AssertionError(f"{what}: observed in {rate:.1%} of {n} draws, expected about {p:.0%}")


def no_gradient(grad: torch.Tensor | None) -> bool:
    """True when a ``with_grad`` call left no gradient on an argument (None or all zeros)."""
    return grad is None or not bool(torch.as_tensor(grad).abs().sum() > 0)


def _same(a: Any, b: Any) -> bool:
    """Exact equality of plain data as it came back from a worker (types included)."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def same_result_for_same_seed(
    student: RemoteNamespace,
    fn: str,
    base: int,
    *args: Any,
    result_check: Callable[[Any], None],
    **kwargs: Any,
) -> bool:
    """Whether two calls of ``fn(*args, generator=g, **kwargs)`` with generators seeded alike (from
    ``seed(base)``) return equal results, torch's global generator moving on between them: False
    when ``fn`` draws from anything but ``generator``. ``result_check`` must accept the first
    result (a constant or garbage is trivially reproducible). Compared here, in the trusted process."""
    callee = getattr(student, fn)
    first = callee(*args, generator=student.generator(seed(base)), **kwargs)
    result_check(first)
    student.new("torch:rand", 3)  # the worker's global generator moves on between the two calls
    second = callee(*args, generator=student.generator(seed(base)), **kwargs)
    return _same(first, second)


def follows_the_global_generator(
    student: RemoteNamespace,
    fn: str,
    base: int,
    *args: Any,
    result_check: Callable[[Any], None],
    **kwargs: Any,
) -> tuple[bool, bool]:
    """For ``generator=None`` (the default): whether re-seeding torch's global generator reproduces
    the draw, and whether two calls without re-seeding differ. A function that makes a fresh
    ``torch.Generator()`` of its own fails the second; one that ignores randomness, the second;
    one that seeds from the clock, the first. ``result_check`` must accept each result."""
    callee = getattr(student, fn)
    student.new("torch:manual_seed", seed(base))
    first = callee(*args, **kwargs)
    result_check(first)
    student.new("torch:manual_seed", seed(base))
    again = callee(*args, **kwargs)
    following = callee(*args, **kwargs)
    result_check(following)
    return _same(first, again), not _same(again, following)
