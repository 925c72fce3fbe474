"""The mutant generator of ``autograder audit --mutate``: every kind, solution lines only, stable ids,
the equivalents files; and a few toy mutants graded (the real homeworks are graded by the bench,
bench/mutation_report.py, never here)."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from conftest import SOLUTIONS, build_toy_course

from autograder.audit import mutants
from autograder.course import Course

CELL = textwrap.dedent(
    '''
    def shifted_sum(x, n, scale=2.0):
        """Sum of x[1:n] and every other x up to n, times 3 when n <= 3 (1 + 1 is not code)."""
        ### BEGIN SOLUTION
        y = torch.cat([x[1:n], x[:n + 1:2]], 0)
        if n <= 3 and not x.any():
            y += 2 * n
        for i in range(n):
            y = y - i
        return y.sum(dim=-1)
        ### END SOLUTION


    def unrelated(z):
        return z * 10
    '''
).lstrip("\n")

HEAD, TAIL = CELL.split("### BEGIN SOLUTION")[0], CELL.split("### END SOLUTION")[1]


@pytest.fixture(scope="module")
def generated() -> list[mutants.Mutant]:
    return mutants.generate("shifted_sum", CELL)


def test_generate__makes_every_kind(generated):
    kinds = {m.kind for m in generated}
    assert kinds == set(mutants.KINDS)
    assert all(m.viable for m in generated)
    text = "\n".join(m.diff for m in generated)
    for expected in (
        "+    y = torch.cat([x[1:n], x[:n - 1:2]], 0)",  # arithmetic
        "+    if n < 3 and not x.any():",  # comparison
        "+    if n <= 3 or not x.any():",  # boolean
        "+    return y.sum(dim=-2)",  # constant
        "+    y = torch.cat([x[1:], x[:n + 1:2]], 0)",  # slice: a dropped bound
        "+    y = torch.cat([x[1:n + 1], x[:n + 1:2]], 0)",  # slice: a shifted bound
        "+    y = torch.cat(0, [x[1:n], x[:n + 1:2]])",  # argument swap
        "+        pass",  # a removed statement
    ):
        assert expected in text, expected


def test_generate__touches_solution_lines_only(generated):
    for mutant in generated:
        assert mutant.source.startswith(HEAD + "### BEGIN SOLUTION"), mutant.diff
        assert mutant.source.endswith("### END SOLUTION" + TAIL), mutant.diff
    assert not any("return y.sum" in m.diff and m.kind == "statement" for m in generated)  # closing return


def test_generate__without_markers_spares_signature_and_docstring():
    cell = 'def f(x, k=2):\n    """Adds 1 to x[0:3]."""\n    return x[1:k] + 1\n'
    generated = mutants.generate("f", cell)
    assert generated
    for mutant in generated:
        assert mutant.source.startswith('def f(x, k=2):\n    """Adds 1 to x[0:3]."""\n'), mutant.diff
    assert "+    return x[1:k] - 1" in "\n".join(m.diff for m in generated)


def test_ids__unique_and_stable_under_unrelated_edits(generated):
    ids = [m.id for m in generated]
    assert len(ids) == len(set(ids))
    assert all(m.id.startswith(f"shifted_sum-{m.kind}-") for m in generated)
    assert ids == [m.id for m in mutants.generate("shifted_sum", CELL)]
    edited = CELL.replace("### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n    x = x.clone()\n\n").replace(
        "y = y - i", "y = y - 2 * i"
    )
    again = {m.id for m in mutants.generate("shifted_sum", edited)}
    untouched = [m for m in generated if "y = y - i" not in m.diff]
    assert untouched and all(m.id in again for m in untouched)
    assert not any(m.id in again for m in generated if "y = y - i" in m.diff)


def test_select__is_a_stable_sample(generated):
    sample = mutants.select(generated, 5)
    assert len(sample) == 5 and sample == mutants.select(list(reversed(generated)), 5)[::-1]


def test_classify__not_viable_equivalent_killed_survived(generated):
    first, second, third = generated[:3]
    broken = mutants.Mutant(**{**first.__dict__, "id": "x-broken", "source": "def (:", "viable": False})
    assert not mutants._parses(broken.source)
    graded = {
        first.id: mutants.Graded(1.0, 2.0, "lost", frozenset({"test_a"})),
        second.id: mutants.Graded(2.0, 2.0, "", frozenset()),
        third.id: mutants.Graded(2.0, 2.0, "", frozenset()),
    }
    listed = {third.id: {"task": "shifted_sum", "id": third.id, "reason": "same values"}}
    statuses = [o.status for o in mutants.classify([broken, first, second, third], graded, listed)]
    assert statuses == ["not viable", "killed", "survived", "equivalent"]
    per_task, total = mutants.figures(mutants.classify([broken, first, second, third], graded, listed))
    assert mutants._counts(total) == (4, 1, 1, 1, 1)
    assert total.kill_rate == 0.5


@pytest.mark.parametrize("hw", ["hw1_pretext", "hw2_contrastive", "hw3_lms"])
def test_equivalents_file__parses_and_names_current_mutants(hw):
    course = Course.find()
    path = course.audit_cases / hw / mutants.EQUIVALENTS
    assert path.exists(), f"{path} is missing (an empty file is fine)"
    entries = mutants.load_equivalents(path)
    tasks = course.manifest(hw).tasks
    sources = mutants.task_sources(course, hw)
    current = {m.id for t in {e["task"] for e in entries.values()} for m in mutants.generate(t, sources[t])}
    for mutant_id, entry in entries.items():
        assert entry["task"] in tasks, f"{mutant_id}: no task {entry['task']!r} in {hw}"
        assert mutant_id.startswith(entry["task"] + "-"), mutant_id
        assert mutant_id in current, f"{mutant_id} matches no mutant of the solution any more: judge it again"


def test_toy_mutants__graded_killed_and_control_kept(tmp_path):
    course = build_toy_course(tmp_path)
    (course.solutions / "toy").mkdir(parents=True)
    shutil.copy(course.source_notebook("toy"), course.solution_notebook("toy"))
    add = mutants.generate("add", SOLUTIONS["add"].strip("\n"))
    assert [m.diff.splitlines()[-1] for m in add] == ["+    return a - b"]
    graded = mutants.grade(course, "toy", add, {"add": SOLUTIONS["add"].strip("\n")}, jobs=1)
    assert graded["control-add"].score == graded["control-add"].max_score == 2
    [outcome] = mutants.classify(add, graded, {})
    assert outcome.status == "killed"


def test_classify__a_broken_test_kills_nothing_by_itself(generated):
    first, second = generated[:2]
    graded = {
        "control-shifted_sum": mutants.Graded(1.0, 2.0, "broken", frozenset({"test_broken"})),
        first.id: mutants.Graded(1.0, 2.0, "", frozenset({"test_broken"})),
        second.id: mutants.Graded(0.0, 2.0, "", frozenset({"test_broken", "test_values"})),
    }
    assert [o.status for o in mutants.classify([first, second], graded, {})] == ["survived", "killed"]
