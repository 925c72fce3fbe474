"""Honest task cells keep their marks: the reference solution of a hw2_contrastive task, wrapped in
the shapes students write (optional imports, ``TYPE_CHECKING``, decorated helpers, a self-test under
``if __name__ == "__main__":``, ``from __future__ import annotations``, ...), scores full marks.
And a cell the grader cannot analyse or load costs only its own task."""

from __future__ import annotations

import copy
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.grade import course_grader, extract
from autograder.grade.engine import Grader

ROOT = Path(__file__).resolve().parents[1]
HW = "hw2_contrastive"
SOLUTION = json.loads((ROOT / "solutions" / HW / f"{HW}.ipynb").read_text(encoding="utf-8"))


def _task_cell(notebook: dict, task: str) -> dict:
    return next(
        c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == task
    )


def reference(task: str) -> str:
    """The reference solution of a task: its cell in the solution notebook."""
    source = _task_cell(SOLUTION, task)["source"]
    return "".join(source) if isinstance(source, list) else source


def write_notebook(folder: Path, sources: dict[str, str]) -> Path:
    """The solution notebook with the given task cells rewritten (JSON escapes keep any string,
    even one that is not valid UTF-8 text)."""
    notebook = copy.deepcopy(SOLUTION)
    for task, source in sources.items():
        _task_cell(notebook, task)["source"] = source
    path = folder / f"{HW}.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=True), encoding="ascii")
    return path


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    with course_grader(Course(ROOT), HW) as shared:
        yield shared


def grade(grader: Grader, tmp_path: Path, sources: dict[str, str], tasks: set[str]):
    result = grader.grade(write_notebook(tmp_path, sources), only_tasks=tasks)
    said = [*result.errors, *(t.output for t in result.tasks.values())]
    assert not [e for e in said if "internal grader error" in e], said
    return result


def notes_for(result, task: str) -> list[str]:
    return [e for e in result.errors if f"task `{task}`" in e and "was not run" in e]


def renamed(task: str, old: str, new: str) -> str:
    """The reference with its function ``old`` renamed (a shape then wraps it)."""
    assert f"def {old}(" in reference(task)
    return reference(task).replace(f"def {old}(", f"def {new}(", 1)


def cell(*parts: str) -> str:
    """A cell of the given parts (code blocks), a blank line apart."""
    return "\n\n".join(textwrap.dedent(p).strip("\n") for p in parts) + "\n"


# -- the shapes -------------------------------------------------------------------------------
# name -> (task, the cell's source, whether the cell holds work the student is told was not run)
SHAPES: dict[str, tuple[str, Callable[[], str], bool]] = {}


def shape(task: str, reported: bool = False) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(build: Callable[[], str]) -> Callable[[], str]:
        SHAPES[build.__name__] = (task, build, reported)
        return build

    return register


@shape("nt_xent")
def try_except_import_error_none() -> str:
    optional = """
        try:
            import not_an_installed_module as optional
        except ImportError:
            optional = None
        """
    return cell(optional, reference("nt_xent"))


@shape("barlow_twins")
def try_except_tuple_pass() -> str:
    optional = """
        try:
            import scipy.linalg
        except (ImportError, ModuleNotFoundError):
            pass
        """
    return cell(optional, reference("barlow_twins"))


@shape("simsiam", reported=True)  # the prints
def try_except_else_finally() -> str:
    optional = """
        try:
            import numpy as np
        except ImportError:
            print("numpy is missing")
            np = None
            HAVE_NUMPY = False
        else:
            HAVE_NUMPY = True
        finally:
            print("imports checked")
        """
    wrapper = """
        def simsiam_loss(p1, p2, z1, z2):
            assert HAVE_NUMPY and np is not None  # the `else:` branch ran
            return _simsiam_reference(p1, p2, z1, z2)
        """
    return cell(optional, renamed("simsiam", "simsiam_loss", "_simsiam_reference"), wrapper)


@shape("ood")
def type_checking_block() -> str:
    typing = """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:  # never true at run time: a missing module here must not matter
            import not_an_installed_module
            from torch import Tensor

            @not_an_installed_module.overload
            def stl_to_cifar(predictions: Tensor) -> Tensor: ...
        else:
            Tensor = "torch.Tensor"
        """
    return cell(typing, reference("ood"))


@shape("nt_xent")
def decorated_helpers() -> str:
    helpers = """
        import functools
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class LossConfig:
            temperature: float = 0.5


        @functools.lru_cache(maxsize=None)
        def default_config() -> LossConfig:
            return LossConfig()


        @torch.no_grad()
        def _unit_rows(z):
            return F.normalize(z, dim=1)
        """
    wrapper = """
        @functools.wraps(_nt_xent_reference)
        def nt_xent_loss(z1, z2, temperature=default_config().temperature):
            assert not _unit_rows(torch.ones(1, 2, requires_grad=True)).requires_grad  # under no_grad
            return _nt_xent_reference(z1, z2, temperature)
        """
    return cell(helpers, renamed("nt_xent", "nt_xent_loss", "_nt_xent_reference"), wrapper)


@shape("sinkhorn")
def no_grad_decorator_on_the_task() -> str:
    return cell("@torch.no_grad()\n" + reference("sinkhorn"))


@shape("simsiam")
def dunder_all_and_lambda() -> str:
    wrapper = "simsiam_loss = lambda p1, p2, z1, z2: _simsiam_reference(p1, p2, z1, z2)  # noqa: E731"
    return cell(
        '__all__ = ["simsiam_loss"]', renamed("simsiam", "simsiam_loss", "_simsiam_reference"), wrapper
    )


@shape("barlow_twins", reported=True)
def main_guard_self_test() -> str:
    self_test = """
        if __name__ == "__main__":
            z = torch.randn(8, 4)
            print(barlow_twins_loss(z, z))
            raise SystemExit("a self-test must not run when grading")
        """
    return cell(reference("barlow_twins"), self_test)


@shape("mae_masking")
def future_annotations() -> str:
    lazy = """
        def _shape_of(x: NotDefinedAnywhere) -> tuple[int, ...]:  # an annotation never evaluated
            return tuple(x.shape)


        MASK_DTYPE: NotDefinedEither = torch.float32
        """
    return cell("from __future__ import annotations", reference("mae_masking"), lazy)


@shape("mae_masking")
def type_hints_with_union() -> str:
    signature = """
        def random_masking(
            x: torch.Tensor, mask_ratio: float, generator: torch.Generator | None = None
        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:"""
    return cell(
        reference("mae_masking").replace(
            "def random_masking(x, mask_ratio, generator=None):", signature.strip()
        )
    )


@shape("barlow_twins")
def nested_functions_closures_global() -> str:
    wrapper = """
        _CALLS = 0


        def barlow_twins_loss(z1, z2, lambd=0.0051):
            global _CALLS
            _CALLS += 1
            scale = 1.0

            def scaled(fn):
                def inner(*args):
                    return fn(*args) * scale  # a closure over `scale`

                return inner

            return scaled(_barlow_reference)(z1, z2, lambd)
        """
    return cell(renamed("barlow_twins", "barlow_twins_loss", "_barlow_reference"), wrapper)


@shape("ood")
def walrus_and_match() -> str:
    wrapper = """
        def stl_to_cifar(predictions):
            match predictions.dim():
                case 0:
                    kind = "scalar"
                case _:
                    kind = "batch"
            if (mapped := _stl_to_cifar_reference(predictions)) is not None and kind:
                return mapped
        """
    return cell(renamed("ood", "stl_to_cifar", "_stl_to_cifar_reference"), wrapper)


@shape("knn", reported=True)  # the top-level await
def async_helper_and_top_level_await() -> str:
    helper = """
        import asyncio


        async def _fetch_bank(bank):
            await asyncio.sleep(0)
            return bank


        READY = await asyncio.sleep(0, result=True)  # runs in Jupyter; work, not run here
        """
    return cell(helper, reference("knn"))


@shape("sinkhorn")
def constant_chosen_by_if() -> str:
    device = """
        if torch.cuda.is_available():
            DEVICE = "cuda"
        elif torch.backends.mps.is_available():
            DEVICE = "mps"
        else:
            DEVICE = "cpu"
        """
    return cell(device, reference("sinkhorn"))


@shape("simsiam")
def if_on_a_name_from_a_cell_not_loaded() -> str:
    plots = """
        if SHOW_PLOTS:  # set in a cell that is not loaded when grading: a warning, not an error
            import matplotlib.pyplot as plt
        """
    return cell(reference("simsiam"), plots)


@shape("knn", reported=True)  # the magic, the shell escape, the print
def magics_and_several_statements_a_line() -> str:
    return cell("%load_ext autoreload\n!echo hello\nimport math; print('loaded')", reference("knn"))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_honest_shape__scores_full_marks(grader, tmp_path, shape):
    task, source, reported = SHAPES[shape]
    result = grade(grader, tmp_path, {task: source()}, {task})
    outcome = result.tasks[task]
    assert outcome.score == outcome.max_score, (outcome, result.errors)
    assert bool(notes_for(result, task)) == reported, result.errors


def test_optional_import_try_block__grades_every_task(grader, tmp_path):
    """Issue 11: one top-level ``try:`` / ``except ImportError:`` in any task cell was an internal
    grader error for every task of the submission."""
    block = "try:\n    import scipy\nexcept ImportError:\n    scipy = None\n"
    tasks = {"nt_xent", "barlow_twins", "simsiam"}
    result = grade(grader, tmp_path, {"ood": cell(block, reference("ood"))}, tasks)
    assert {t: r.score for t, r in result.tasks.items()} == {t: r.max_score for t, r in result.tasks.items()}
    result = grade(grader, tmp_path, {"nt_xent": cell(block, reference("nt_xent"))}, tasks)
    assert {t: r.score for t, r in result.tasks.items()} == {t: r.max_score for t, r in result.tasks.items()}


def test_main_guard__is_reported_at_its_line(grader, tmp_path):
    source = cell(reference("barlow_twins"), 'if __name__ == "__main__":\n    print(1)')
    result = grade(grader, tmp_path, {"barlow_twins": source}, {"barlow_twins"})
    line = source.count("\n") - 1
    assert any(f"line(s) {line} " in note for note in notes_for(result, "barlow_twins")), result.errors


BROKEN = {
    "lone_surrogate": "x = '\ud800'\n",
    "too_deeply_nested": "x = " + "-" * 200_000 + "1\n",
    "return_outside_function": "return 1\n",
    "fails_at_import": "import not_an_installed_module\n",
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_cell__costs_only_its_task(grader, tmp_path, kind):
    tasks = {"nt_xent", "simsiam", "barlow_twins"}
    result = grade(grader, tmp_path, {"simsiam": cell(BROKEN[kind], reference("simsiam"))}, tasks)
    assert result.tasks["simsiam"].score == 0 and result.tasks["simsiam"].output
    assert result.tasks["nt_xent"].score == 1.5 and result.tasks["barlow_twins"].score == 1.0


def test_a_cell_the_analysis_fails_on__costs_only_its_task(grader, tmp_path, monkeypatch):
    """Were the analysis to fail on a cell (a bug of ours), that cell's task says so; no other."""
    original = extract._Extraction.run

    def failing_on_simsiam(self, tree):
        if "simsiam_loss" in self.text:
            raise RuntimeError("a bug")
        return original(self, tree)

    monkeypatch.setattr(extract._Extraction, "run", failing_on_simsiam)
    result = grade(grader, tmp_path, {}, {"nt_xent", "simsiam", "barlow_twins"})
    assert result.tasks["simsiam"].score == 0
    assert "could not analyse this cell" in result.tasks["simsiam"].output
    assert result.tasks["nt_xent"].score == 1.5 and result.tasks["barlow_twins"].score == 1.0
