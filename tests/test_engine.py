"""The grading pipeline on the toy course: scores, per-task isolation, notebook problems."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from tests.conftest import SETUP, write_submission


def grade(grader, tmp_path: Path, overrides: dict, name: str = "toy.ipynb"):
    return grader.grade(write_submission(tmp_path, overrides, name))


def test_solution__gets_every_point_and_the_bonus_on_top(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {})
    assert {t: r.status for t, r in result.tasks.items()} == {
        "add": "passed",
        "counter": "passed",
        "norm": "passed",
    }
    assert result.max_score == 3.0  # add 2 + counter 1; the bonus is not in max_score
    assert result.score == 4.0
    assert all(t.status == "passed" for t in result.tests)
    assert {t.visibility for t in result.tests} == {"visible", "hidden"}


def test_partial_credit__follows_test_weights(toy_grader, tmp_path):
    # Right values, wrong dtype: passes the weight-2 test and the public test, fails the weight-1 test.
    result = grade(toy_grader, tmp_path, {"add": "def add(a, b):\n    return (a + b).float()\n"})
    task = result.tasks["add"]
    assert task.status == "partial"
    assert task.score == 1.5  # 2 points * (2 + 1) / (2 + 1 + 1)
    assert task.output == "add must keep the dtype"


def test_missing_task_cell__scores_zero_with_reason_and_others_graded(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {"counter": None})
    assert result.tasks["counter"].status == "missing"
    assert "grade_id 'counter'" in result.tasks["counter"].output
    assert result.tasks["add"].status == "passed" and result.tasks["norm"].status == "passed"
    assert any("counter" in e for e in result.errors)


def test_syntax_error__fails_only_that_task(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {"norm": "def l2_norm(x)\n    return x\n"})
    assert result.tasks["norm"].status == "error"
    assert "does not parse" in result.tasks["norm"].output and "line 1" in result.tasks["norm"].output
    assert result.score == 3.0


def test_import_error__fails_only_that_task(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {"counter": "import not_a_module\n" + "class Counter: pass\n"})
    assert result.tasks["counter"].status == "error"
    assert "fails at import" in result.tasks["counter"].output
    assert "not_a_module" in result.tasks["counter"].output
    assert result.tasks["add"].score == 2.0


def test_top_level_work__is_not_run_and_is_reported(toy_grader, tmp_path):
    source = """
%matplotlib inline
!pip list
def add(a, b):
    return a + b
print(add(1, 2))
for _ in range(10 ** 12):
    pass
SCALE = 2
history = add(torch.ones(1), torch.ones(1))
"""
    result = grade(toy_grader, tmp_path, {"add": source})
    assert result.tasks["add"].status == "passed"
    note = next(e for e in result.errors if "task `add`" in e)
    assert "was not run when grading" in note


def test_names_from_another_task__are_loaded_with_it(toy_grader, tmp_path):
    counter = (
        "class Counter:\n    def __init__(self, start=0):\n        self.value = start\n"
        "    def inc(self, by=1):\n        self.value = _bump(self.value, by)\n        return self.value\n"
    )
    result = grade(
        toy_grader,
        tmp_path,
        {
            "add": "def add(a, b):\n    return a + b\n\ndef _bump(v, by):\n    return v + by\n",
            "counter": counter,
        },
    )
    assert result.tasks["counter"].status == "passed"
    broken = grade(
        toy_grader,
        tmp_path,
        {"add": "import not_a_module\n\ndef _bump(v, by):\n    return v + by\n", "counter": counter},
    )
    assert broken.tasks["counter"].status == "error"
    assert "task `add`" in broken.tasks["counter"].output
    unparsable = grade(toy_grader, tmp_path, {"add": "def add(a, b)\n", "counter": counter})
    assert unparsable.tasks["counter"].status == "failed"
    assert "_bump" in unparsable.tasks["counter"].output


def test_duplicate_grade_id__grades_the_later_cell_and_says_so(toy_grader, tmp_path):
    path = write_submission(tmp_path, {"add": "def add(a, b):\n    return a - b\n"})
    nb = nbformat.read(path, as_version=4)
    copy = nbformat.from_dict(nb.cells[2])
    copy.source = "def add(a, b):\n    return a + b\n"
    nb.cells.append(copy)
    nbformat.write(nb, path)
    result = toy_grader.grade(path)
    assert result.tasks["add"].status == "passed"
    assert any("appears in cells" in e for e in result.errors)


def test_edited_locked_cell__is_replaced_by_the_course_version(toy_grader, tmp_path):
    path = write_submission(tmp_path, {})
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].source == SETUP
    nb.cells[1].source = "torch = None\n"
    nbformat.write(nb, path)
    result = toy_grader.grade(path)
    assert result.score == 4.0
    assert any("instructor" in e and "setup" in e for e in result.errors)


def test_result_json__has_the_contract_fields(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {})
    out = tmp_path / "r.json"
    result.write_json(out)
    data = json.loads(out.read_text())
    assert set(data) >= {
        "assignment",
        "submission",
        "score",
        "max_score",
        "tasks",
        "tests",
        "errors",
        "execution_time",
    }
    assert set(data["submission"]) == {"path", "sha256"} and len(data["submission"]["sha256"]) == 64
    assert set(data["tests"][0]) == {"name", "task", "score", "max_score", "status", "output", "visibility"}
    assert data["sandbox"]["mode"] in ("root", "userns") and data["sandbox"]["filesystem"] == "allowlist"
    assert set(data["sandbox"]) >= {"mode", "namespaces", "filesystem", "network", "user", "cpu"}


def test_internal_error_in_one_task__costs_that_task_only(toy_grader, tmp_path, monkeypatch):
    from autograder.grade import engine

    real = engine.parse_cell

    def broken_for_counter(source, label, functions):
        if "counter" in label:
            raise RuntimeError("analysis bug")
        return real(source, label, functions)

    monkeypatch.setattr(engine, "parse_cell", broken_for_counter)
    result = grade(toy_grader, tmp_path, {})
    assert result.tasks["counter"].score == 0 and "internal grader error" in result.tasks["counter"].output
    assert result.tasks["add"].status == "passed" and result.tasks["norm"].status == "passed"


def test_internal_error_in_a_whole_stage__still_gives_a_result_with_the_reason(
    toy_grader, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("session bug")

    monkeypatch.setattr(toy_grader.session, "run", broken)
    result = grade(toy_grader, tmp_path, {})
    assert result.score == 0 and all("internal grader error" in t.output for t in result.tasks.values())
    assert any("session bug" in e for e in result.errors)


def test_untouched_task__is_not_attempted_not_failed(toy_grader, tmp_path):
    stub = '''
class Counter:
    """Counts."""

    def __init__(self, start=0):
        # YOUR CODE HERE
        raise NotImplementedError()

    def inc(self, by=1):
        raise NotImplementedError
'''
    result = grade(toy_grader, tmp_path, {"counter": stub})
    assert result.tasks["counter"].status == "not attempted"
    assert result.tasks["counter"].score == 0
    assert "not attempted" in result.tasks["counter"].output
    assert result.tasks["add"].status == "passed"


def test_half_done_task__is_attempted(toy_grader, tmp_path):
    half = '''
class Counter:
    def __init__(self, start=0):
        self.value = start

    def inc(self, by=1):
        raise NotImplementedError()
'''
    result = grade(toy_grader, tmp_path, {"counter": half})
    assert result.tasks["counter"].status == "failed"


def test_helper_in_a_non_task_cell__is_named_in_the_reason(toy_grader, tmp_path):
    path = write_submission(tmp_path, {"add": "def add(a, b):\n    return plus(a, b)\n"})
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell("def plus(a, b):\n    return a + b\n"))
    nbformat.write(notebook, path)
    result = toy_grader.grade(path)
    assert result.tasks["add"].score == 0
    assert "`plus` is defined in cell 3, which is not a task cell" in result.tasks["add"].output


def test_a_students_long_exception_text__is_shown_truncated(toy_grader, tmp_path):
    result = grade(toy_grader, tmp_path, {"add": "def add(a, b):\n    raise ValueError('x' * 5000)\n"})
    reason = result.tasks["add"].output
    assert "ValueError" in reason and "…" in reason and reason.count("x") < 300
