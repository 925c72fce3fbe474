"""pyproject.toml declares what the package imports, bounds it, and the locks pin it (`make lock`)."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
BASE = [Requirement(r) for r in PROJECT["dependencies"]]
EXTRAS = {extra: [Requirement(r) for r in reqs] for extra, reqs in PROJECT["optional-dependencies"].items()}
SELF = canonicalize_name(PROJECT["name"])
LOCKS = {name: ROOT / "requirements" / f"{name}.lock" for name in ("ci", "gradescope")}
OPTIONAL = {"kaggle": "kaggle", "datasets": "hf"}  # distribution -> the extra that carries it
# Folders of student code (task-cell bodies, attacks): they may import whatever the grading
# environment happens to hold, as a student's notebook may.
STUDENT_CODE = ("audit_cases", "hostile", "fixtures")


def _lock_spec():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "requirements" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _add_imports(found: dict[str, set[str]], code: str, path: Path) -> None:
    """Record the top-level module names ``code`` imports anywhere (lazy imports too)."""
    for node in ast.walk(ast.parse(code)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))


def _top_level_imports(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        if not set(path.relative_to(folder).parts) & set(skip):
            _add_imports(found, path.read_text(encoding="utf-8"), path)
    return found


def _declared() -> set[str]:
    names = {canonicalize_name(r.name) for r in BASE}
    for reqs in EXTRAS.values():
        names |= {canonicalize_name(r.name) for r in reqs}
    return names - {SELF}


def _pins(lock: Path) -> dict[str, Version]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def _undeclared(imports: dict[str, set[str]], local: set[str]) -> dict[str, list[str]]:
    """Third-party imports no declared distribution provides. A module whose distribution is not
    installed here (an extra, in CI) is taken to be its own distribution's name."""
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for module, files in imports.items():
        if module in sys.stdlib_module_names or module in local | {"autograder", "__future__"}:
            continue
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & declared:
            missing[module] = sorted(files)
    return missing


def test_every_third_party_import_of_the_package_is_declared():
    missing = _undeclared(_top_level_imports(ROOT / "autograder"), set())
    assert not missing, f"imported but not declared in pyproject.toml (import -> files): {missing}"


def test_every_third_party_import_of_the_tests_and_benchmarks_is_declared():
    imports: dict[str, set[str]] = {}
    local = {"tests", "hidden_tests", "bench", "conftest"}
    for folder in ("tests", "bench", "hidden_tests"):
        local |= {p.stem for p in (ROOT / folder).rglob("*.py")}
        for module, files in _top_level_imports(ROOT / folder, skip=STUDENT_CODE).items():
            imports.setdefault(module, set()).update(files)
    missing = _undeclared(imports, local)
    assert not missing, f"imported but not declared (a dev dependency?) (import -> files): {missing}"


def test_every_third_party_import_of_the_course_notebooks_is_declared():
    imports: dict[str, set[str]] = {}
    for path in sorted((ROOT / "assignments").glob("*/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            lines = "".join(cell["source"]).splitlines()  # IPython's magics and shell lines left out
            _add_imports(imports, "\n".join(s for s in lines if not s.lstrip().startswith(("%", "!"))), path)
    missing = _undeclared(imports, set())
    assert not missing, f"imported but not declared in pyproject.toml (import -> notebooks): {missing}"


def test_every_dependency_has_an_upper_bound():
    unbounded = [
        str(r)
        for r in [*BASE, *(r for reqs in EXTRAS.values() for r in reqs)]
        if canonicalize_name(r.name) != SELF
        and not any(s.operator in ("<", "==", "~=", "<=") for s in r.specifier)
    ]
    assert not unbounded, f"bound these to their current major (`<next`): {unbounded}"


def test_kaggle_and_datasets_are_extras_not_base_dependencies():
    base = {canonicalize_name(r.name) for r in BASE}
    for dist, extra in OPTIONAL.items():
        assert dist not in base, f"{dist} belongs in the {extra!r} extra"
        assert dist in {canonicalize_name(r.name) for r in EXTRAS[extra]}
    assert {canonicalize_name(r.name) for r in EXTRAS["full"]} == {SELF}
    assert EXTRAS["full"][0].extras == {"kaggle", "hf"}


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_the_lock_is_fresh_and_pins_every_declared_dependency(name):
    lock = LOCKS[name]
    digest = lock.read_text(encoding="utf-8").splitlines()[0]
    module = _lock_spec()
    assert digest == module.DIGEST_PREFIX + module.deps_digest(), (
        f"pyproject.toml's dependencies changed since {lock.name} was written: run `make lock`"
    )
    pins = _pins(lock)
    wanted = [*BASE, *(EXTRAS["dev"] if name == "ci" else [])]
    for req in wanted:
        dist = canonicalize_name(req.name)
        assert dist in pins, f"{lock.name} does not pin {dist}: run `make lock`"
        assert SpecifierSet(str(req.specifier)).contains(pins[dist], prereleases=True), (
            f"{lock.name} pins {dist}=={pins[dist]}, outside pyproject.toml's {req}"
        )
    tested = {canonicalize_name(r.name) for r in EXTRAS["dev"]} if name == "ci" else set()
    for dist in OPTIONAL:  # the test suite may need one (datasets: hw3's full mode); the image never
        assert dist not in pins or dist in tested, f"{lock.name} pins {dist}, which only an extra needs"
    assert pins[canonicalize_name("torch")] == Version("2.14.1")
    assert pins[canonicalize_name("torchvision")] == Version("0.29.1")


def test_the_gradescope_lock_agrees_with_ci():
    ci, gradescope = _pins(LOCKS["ci"]), _pins(LOCKS["gradescope"])
    assert {d: v for d, v in gradescope.items() if ci.get(d) != v} == {}


def test_fetch_without_the_kaggle_extra_names_it(monkeypatch):
    from autograder.competition import CompetitionError, fetch

    monkeypatch.setitem(sys.modules, "kaggle", None)  # as if the extra were not installed
    with pytest.raises(CompetitionError, match=re.escape('pip install -e ".[kaggle]"')):
        fetch._kaggle_api()
    monkeypatch.setattr(fetch, "credential_source", lambda: None)
    monkeypatch.setattr(fetch, "kaggle_installed", lambda: False)
    with pytest.raises(CompetitionError) as raised:
        fetch.main(competition="x", out=Path("unused"))
    assert "no Kaggle credentials found" in str(raised.value) and '".[kaggle]"' in str(raised.value)
