"""Import the libraries every worker shares, once, in the template process.

torchvision's ``ops.roi_align`` imports one helper from ``torch._dynamo.utils`` at import time,
and importing ``torch._dynamo`` costs about two seconds, as much as torch itself: most of the
template's start-up, on every cold ``autograder grade``. No homework compiles anything, so while
torchvision is imported that one name is a stand-in that imports the real helper on its first
call; afterwards ``torch._dynamo`` is absent from ``sys.modules`` and imports normally if a
student's code uses ``torch.compile``. Should a torchvision release need more of it at import
time, the stand-in is dropped and torchvision is imported the ordinary way.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_STAND_INS = ("torch._dynamo", "torch._dynamo.utils")


def preload(names: list[str]) -> None:
    for name in names:
        try:
            if name == "torchvision" or name.startswith("torchvision."):
                _import_without_dynamo(name)
            else:
                importlib.import_module(name)
        except Exception:  # a preload is only an optimisation: the worker imports what it needs
            pass


def is_compile_supported(device_type: Any) -> Any:
    """The stand-in: the real helper, imported when torchvision first needs it."""
    from torch._dynamo.utils import is_compile_supported as real

    return real(device_type)


def _import_without_dynamo(name: str) -> None:
    importlib.import_module("torch")
    if "torch._dynamo" in sys.modules:  # already paid for
        importlib.import_module(name)
        return
    utils = types.ModuleType("torch._dynamo.utils")
    utils.is_compile_supported = is_compile_supported  # type: ignore[attr-defined]
    stand_ins = {"torch._dynamo": types.ModuleType("torch._dynamo"), "torch._dynamo.utils": utils}
    sys.modules.update(stand_ins)
    try:
        importlib.import_module(name)
        return
    except Exception:
        for loaded in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[loaded]
    finally:
        for stand_in, module in stand_ins.items():
            if sys.modules.get(stand_in) is module:
                del sys.modules[stand_in]
    importlib.import_module(name)
