"""The cell analysis on any source: a plan, or CellSyntaxError, never another exception.

``parse_cell`` (and ``defined_functions``, ``cells_for_task``, which the engine also calls on every
cell) must survive whatever a student writes. Programs come from hypothesmith (valid Python 3 from
the grammar, and from libcst's node types), from the shapes students write laid out at random, and
from hypothesis' text strategies (anything at all); the runs are derandomized so CI is repeatable.
A longer local run:

    CELL_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_cell_analysis.py -q

(20,000 programs of each kind; 500 from libcst nodes.)
"""

from __future__ import annotations

import ast
import os
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder.grade.extract import CellSyntaxError, cells_for_task, defined_functions, parse_cell

EXAMPLES = int(os.environ.get("CELL_FUZZ_EXAMPLES", "0"))  # 0: the CI sizes below
BASE = settings(
    derandomize=True,
    deadline=None,
    database=None,  # nothing written to .hypothesis/; derandomized runs need no replay database
    suppress_health_check=list(HealthCheck),  # hypothesmith is slow and filters a lot, by design
)
NOTEBOOK_FUNCTIONS = {"train", "f", "g", "main"}  # calling these is work
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def fuzz(ci_examples: int, share: float = 1.0) -> settings:
    """``ci_examples`` in CI; in a long run, ``share`` of CELL_FUZZ_EXAMPLES."""
    return settings(BASE, max_examples=max(1, int(EXAMPLES * share)) if EXAMPLES else ci_examples)


def _compiles(source: str, flags: int = 0) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)
    except Exception:
        return False
    return True


def analyse(source: str):
    """Everything the engine does with one cell; the plan, or None for CellSyntaxError. Every
    statement kept compiles on its own, as a worker compiles it."""
    functions = defined_functions(source) | NOTEBOOK_FUNCTIONS
    try:
        cell = parse_cell(source, "<fuzz>", functions)
    except CellSyntaxError as exc:
        assert "could not analyse" not in str(exc), f"the analysis itself failed: {exc.__cause__!r}"
        return None
    for statement in cell.statements:
        assert _compiles("\n" * (statement.line - 1) + statement.source), statement
    assert cells_for_task("a", {"a": cell, "b": cell}, ["a", "b"])[0] == "a"
    return cell


def check_valid_program(source: str) -> None:
    """A program Python compiles: analysed, and each kept statement compiles alone (as a worker
    compiles it) into the same statement, at the same line, as in the cell."""
    assert _compiles(source, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    cell = analyse(source)
    assert cell is not None, "a cell Python compiles must be analysed"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(source)
    kept_lines = set()
    for statement in cell.statements:
        padded = "\n" * (statement.line - 1) + statement.source
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = ast.parse(padded).body
        if len(body) == 2:  # the cell's `from __future__` import, put in front
            assert isinstance(body[0], ast.ImportFrom) and body[0].module == "__future__", statement
        assert len(body) in (1, 2), statement
        node = body[-1]
        same = [n for n in tree.body if n.lineno == node.lineno and type(n) is type(node)]
        assert same, f"no statement of the cell at line {node.lineno}: {statement}"
        assert any(_blanked_from(n, node) for n in same), statement
        kept_lines.add(node.lineno)
    for node in tree.body:  # definitions are always kept, unless they hold a top-level await
        awaits = any(isinstance(n, ast.Await | ast.AsyncFor | ast.AsyncWith) for n in ast.walk(node))
        if isinstance(node, DEFINITIONS) and not awaits:
            assert node.lineno in kept_lines, f"definition at line {node.lineno} was not kept"


def _blanked_from(original: ast.AST, kept: ast.AST) -> bool:
    """Whether ``kept`` is ``original`` with some statements, or whole blocks, made ``pass``."""
    if type(original) is not type(kept):
        return isinstance(kept, ast.Pass) and isinstance(original, ast.stmt)
    for name, value in ast.iter_fields(original):
        other = getattr(kept, name)
        if not isinstance(value, list):
            value, other = [value], [other]
        elif value and isinstance(value[0], ast.stmt) and [type(s) for s in other] == [ast.Pass]:
            continue  # a block not run
        if len(value) != len(other):
            return False
        for a, b in zip(value, other, strict=True):
            if not (_blanked_from(a, b) if isinstance(a, ast.AST) else a == b):
                return False
    return True


TRICKY = [
    # the crash of issue 11: a top-level try block of imports
    "try:\n    import scipy\nexcept ImportError:\n    scipy = None\n",
    "import os; print(1)\nx = 1; y = train()\n",  # several statements on one line
    "@\\\ndec\ndef h(): pass\n@(  # a comment\n  dec)\nclass A: pass\n",  # where `@` is
    "x = 1\x0c\ny = 'é'; z = 'ü'\r\nw = 2\rdef f(): return 'ß'\n",  # form feed, line ends, UTF-8
    "\n\\\r\n",  # found by the long run: CPython adds a "\n" after a final "\r\n"
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    @overload\n    def g(): ...\n"
    "else:\n    g = 1\n",
    "if (A  # c\n):\n    x = 1\nelif __name__ == '__main__':\n    main()\nelse:\n    y = f()\n",
    "from __future__ import annotations\nfrom __future__ import division\nclass A:\n    x: B\n",
    "x = await g()\ndef k(a=await g()): pass\nasync def m(): await g()\n",
    "try:\n    pass\nexcept* ValueError:\n    import os\n",
    "'''doc'''\n...\nglobal q\nq = lambda: train()\n",
]


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_programs__are_analysed_line_for_line(source):
    check_valid_program(source)


@fuzz(200)  # about 0.1 s a program
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it writes
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar__are_analysed_line_for_line(source):
    check_valid_program(source)


@fuzz(6, share=1 / 40)  # about a second a program: libcst is slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes__are_analysed_line_for_line(source):
    check_valid_program(source)


# Cells made of the shapes students write, nested and laid out in every way Python allows: what
# the grammar's random programs seldom hold (if/elif chains, try blocks mixing imports and work,
# TYPE_CHECKING and __main__ branches, decorators, statements sharing a line, continuations).
SIMPLE = st.sampled_from(
    ["import os", "from typing import TYPE_CHECKING", "X = 1", "Y = train()", "print(X)", "pass",
     '"""doc"""', "Z: int = 2", "W += 1", "loss = lambda z: train(z)", "plt.plot([1, 2])",
     "R = await g()", "return X", "x = (\n1,  # a comment: with a colon\n    2,\n)", "y = 1 + \\\n    2",
     "print(\n  'a'  # c: d\n)", "del X", "s = 'é'; t = '\x0c'", "%time X = 2", "!ls"]
)  # fmt: skip
TESTS = st.sampled_from(
    ["A", "TYPE_CHECKING", "typing.TYPE_CHECKING", "__name__ == '__main__'", "(A  # c: x\n)", "train()"]
)
DECORATORS = st.lists(st.sampled_from(["@dec", "@dec(1)", "@\\\ndec", "@(dec  # c: x\n)"]), max_size=2)


def _block(bodies: list[list[str]]) -> list[str]:
    return ["    " + line for body in bodies for line in "\n".join(body).split("\n")]


def _compound(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    bodies = st.lists(children, min_size=1, max_size=3)
    definition = st.builds(
        lambda decorators, header, body: [*decorators, f"{header}:", *_block(body)],
        DECORATORS,
        st.sampled_from(["def f(a=1)", "async def h()", "class C(Base)"]),
        bodies,
    )
    chain = st.builds(
        lambda tests, branches, orelse: (
            [
                line
                for i, (test, body) in enumerate(zip(tests, branches, strict=False))
                for line in [f"{'elif' if i else 'if'} {test}:", *_block(body)]
            ]
            + (["else:", *_block(orelse)] if orelse else [])
        ),
        st.lists(TESTS, min_size=1, max_size=3),
        st.lists(bodies, min_size=3, max_size=3),
        st.lists(children, max_size=2),
    )
    handlers = st.lists(
        st.tuples(st.sampled_from(["ImportError", "(ImportError, OSError) as e"]), bodies), max_size=2
    )
    attempt = st.builds(
        lambda body, handlers, orelse, final: (
            ["try:", *_block(body)]
            + [line for kind, handler in handlers for line in [f"except {kind}:", *_block(handler)]]
            + (["else:", *_block(orelse)] if orelse and handlers else [])
            + (["finally:", *_block(final)] if final or not handlers else [])
        ),
        bodies,
        handlers,
        st.lists(children, max_size=2),
        st.lists(children, min_size=1, max_size=2),
    )
    loop = st.builds(lambda body: ["for i in range(3):", *_block(body)], bodies)
    return definition | chain | attempt | loop


ONE_LINERS = SIMPLE.filter(lambda s: "\n" not in s and s[0] not in "%!")
STATEMENTS = st.recursive(SIMPLE.map(lambda s: [s]), _compound, max_leaves=12)
LINES = st.lists(
    STATEMENTS
    | st.lists(ONE_LINERS, min_size=2, max_size=3).map(lambda s: ["; ".join(s)])
    | st.sampled_from([["# a comment"], [""]]),
    max_size=8,
)


@fuzz(500)
@given(st.booleans(), LINES)
def test_cells_of_student_shapes__are_analysed_line_for_line(future, statements):
    source = "\n".join(line for statement in statements for line in statement) + "\n"
    if future:
        source = "from __future__ import annotations\n" + source
    if _compiles(source, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT):
        check_valid_program(source)
    else:  # IPython syntax, or `await` in a plain function: still a plan or a reason
        analyse(source)


IPYTHONISH = st.sampled_from(
    ["%matplotlib inline", "!pip list", "%%time", "def f(x):", "    return x", "try:", "except:", "if x:",
     "    pass", "@dec", "x = (", ")", "\\", "# c", "'''", "f'{x", "\t", "\x0c", "\x00", "\ud800", "é",
     "await g()", "from __future__ import annotations", "return 1", "nonlocal x", "(" * 300]
)  # fmt: skip


@fuzz(1000)
@given(st.text() | st.lists(IPYTHONISH, max_size=12).map("\n".join))
@example("x = " + "-" * 200_000 + "1")  # too deep for the parser: MemoryError inside CPython
@example("x = " + "(" * 150 + ")" * 150)
def test_any_text__gives_a_plan_or_a_readable_reason(source):
    analyse(source)


def test_a_reason_is_readable():
    with pytest.raises(CellSyntaxError, match="line 1 of the cell"):
        parse_cell("def f(:\n", "<t>", set())
    with pytest.raises(CellSyntaxError, match="cannot be read as Python"):
        parse_cell("x = '\ud800'\n", "<t>", set())
    with pytest.raises(CellSyntaxError, match="nested too deeply"):
        parse_cell("x = " + "-" * 200_000 + "1", "<t>", set())
    with pytest.raises(CellSyntaxError, match="'return' outside function"):
        parse_cell("def f(): pass\nreturn 1\n", "<t>", set())


def kept(source: str) -> tuple[list[tuple[int, str]], list[int]]:
    """(line, source) of each kept statement, and the lines reported, with `train` a notebook
    function."""
    cell = parse_cell(source, "<t>", {"train"})
    return [(s.line, s.source) for s in cell.statements], cell.dropped_lines


def test_rule__statements_sharing_a_line_are_judged_one_by_one():
    source = "import os; print(os.name)\nX = 1; Y = train()\n"
    assert kept(source) == ([(1, "import os"), (2, "X = 1")], [1, 2])


def test_rule__a_try_block_keeps_its_imports_and_constants_and_blanks_the_rest():
    source = "try:\n    import scipy\nexcept ImportError:\n    print(\n      'no scipy')\n    scipy = None\n"
    statements, dropped = kept(source)
    assert statements == [(1, "try:\n    import scipy\nexcept ImportError:\n    pass\\\n\n    scipy = None")]
    assert dropped == [4]


def test_rule__type_checking_bodies_do_not_run_and_are_not_reported():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import numpy as np\nelse:\n    np = 0"
    cell = parse_cell(source, "<t>", set())
    assert cell.statements[1].source == "if TYPE_CHECKING:pass\\\n\nelse:\n    np = 0"
    assert cell.dropped_lines == [] and "np" in cell.defines
    assert kept("if typing.TYPE_CHECKING:\n    import numpy\n") == ([], [])


def test_rule__the_main_guard_is_work():
    source = "def f():\n    return 1\n\nif __name__ == '__main__':\n    f()\n"
    assert kept(source) == ([(1, "def f():\n    return 1")], [4])
    assert kept("if '__main__' == __name__:\n    X = 1\n") == ([], [1])


def test_rule__an_if_keeps_constants_unless_a_test_calls_notebook_code():
    assert kept("if A:\n    X = 1\nelse:\n    X = 2\n")[0] == [(1, "if A:\n    X = 1\nelse:\n    X = 2")]
    assert kept("if A:\n    X = 1\nelif train():\n    X = 2\n") == ([], [1])
    assert kept("if A:\n    train()\n") == ([], [1])


def test_rule__a_kept_if_that_fails_is_a_warning():
    cell = parse_cell("if SHOW_PLOTS:\n    import matplotlib\n", "<t>", set())
    assert [s.soft for s in cell.statements] == [True]


def test_rule__a_lambda_is_a_definition_even_when_its_body_calls_notebook_code():
    assert kept("loss = lambda z: train(z)\nhistory = train()\n") == ([(1, "loss = lambda z: train(z)")], [2])


def test_rule__future_imports_apply_to_every_statement_of_the_cell():
    source = "from __future__ import annotations\nX: Undefined = 1\n\ndef f(x: Undefined): pass\n"
    statements, _ = kept(source)
    assert statements == [
        (1, "from __future__ import annotations"),
        (2, "from __future__ import annotations; X: Undefined = 1"),
        (3, "from __future__ import annotations\ndef f(x: Undefined): pass"),
    ]
    namespace: dict = {}
    for line, code in statements:  # as a worker runs them: no NameError for the annotations
        exec(compile("\n" * (line - 1) + code, "<t>", "exec", dont_inherit=True), namespace)


def test_rule__top_level_await_is_work():
    assert kept("import asyncio\nX = await asyncio.sleep(0)\n") == ([(1, "import asyncio")], [2])


def test_rule__docstrings_and_pass_need_no_report():
    assert kept('"""Task 3."""\npass\n...\nX = 1\n') == ([(4, "X = 1")], [])
