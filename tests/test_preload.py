"""The template's preload: torchvision without torch._dynamo, and the fall-back when that fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def run_fresh(code: str, tmp_path: Path) -> str:
    """Run ``code`` in a new interpreter (this one may have imported torchvision already)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_preload__imports_torchvision_without_dynamo_and_the_helper_still_works(tmp_path):
    out = run_fresh(
        """
        import sys
        from autograder.sandbox.preload import preload
        preload(["torch", "torchvision"])
        print("torchvision" in sys.modules, "torch._dynamo" in sys.modules)
        helper = sys.modules["torchvision.ops.roi_align"].is_compile_supported
        print(helper("cpu"), hasattr(sys.modules["torch._dynamo"], "optimize"))
        """,
        tmp_path,
    )
    assert out.split() == ["True", "False", "True", "True"]


def test_preload__falls_back_to_a_plain_import_when_the_stand_in_is_not_enough(tmp_path):
    (tmp_path / "torchvision_like").mkdir()
    (tmp_path / "torchvision_like" / "__init__.py").write_text(
        "import torch._dynamo\nCOMPILE = torch._dynamo.optimize\n"
    )
    out = run_fresh(
        """
        import sys
        from autograder.sandbox.preload import _import_without_dynamo
        _import_without_dynamo("torchvision_like")
        print(sys.modules["torchvision_like"].COMPILE is sys.modules["torch._dynamo"].optimize)
        """,
        tmp_path,
    )
    assert out.split() == ["True"]
