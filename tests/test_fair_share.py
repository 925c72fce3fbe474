"""Every student gets a fair share of the machine: an honest submission graded beside a CPU hog
(`--jobs 2`) gets exactly the score it gets alone.

The honest `add` burns about half a second of CPU per call, under the toy course's 3 s call limit.
The hog's cells start busy processes when they load (a kept constant) and keep its grading going
with slow calls. Without a CPU bound per grading job, the honest worker would get a thirtieth of a
core and time out; with it (a CPU cgroup per job as root) it keeps a core of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from autograder.sandbox import bubblewrap
from tests.conftest import SOLUTIONS, build_toy_course, write_submission

BURN = "import time\n_BURN = 0.5  # seconds of CPU per call\n"
HONEST_ADD = BURN + (
    "def add(a, b):\n"
    "    end = time.process_time() + _BURN\n"
    "    while time.process_time() < end:\n"
    "        pass\n"
    "    return a + b\n"
)
# Thirty busy processes per worker, started when the cell loads; they end with the worker. Each
# starts a session of its own, so the scheduler's per-session groups (autogroup) cannot share the
# CPU fairly between students: only a bound per grading job can.
HOG = (
    "_hog = exec('import os\\nfor _ in range(30):\\n"
    "    if os.fork() == 0:\\n        os.setsid()\\n        while True:\\n            pass')\n"
)
SLOW_COUNTER = SOLUTIONS["counter"].replace(
    "self.value += by", "__import__('time').sleep(2.5)\n        self.value += by"
)


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0 or not bubblewrap.works(bubblewrap.ROOT), reason="the CPU cgroup needs root"
)
def test_honest_submission_beside_a_cpu_hog__gets_its_normal_score(real_folder):
    root = real_folder / "fair-share" / "course"
    root.mkdir(parents=True)
    build_toy_course(root)
    manifest = root / "assignments" / "toy" / "tasks.toml"  # long enough for the hog to stay
    manifest.write_text(manifest.read_text().replace("[grading]\n", "[grading]\ntime_budget = 60\n"))
    subs = root.parent / "submissions"
    # Sorted, the hog comes first: one job grades it while the other grades the honest ones.
    write_submission(
        subs,
        {"add": HOG + HONEST_ADD, "counter": HOG + SLOW_COUNTER, "norm": HOG + SOLUTIONS["norm"]},
        "a_hog.ipynb",
    )
    honest = [write_submission(subs, {"add": HONEST_ADD}, f"honest_{i}.ipynb") for i in range(4)]

    def grade(target, out):
        run = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", "--hw", "toy", str(target), "--out", str(out),
             "--jobs", "2"],
            cwd=root, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-3000:]
        return out

    alone = grade(honest[0], root.parent / "alone")
    together = grade(subs, root.parent / "together")
    normal = json.loads((alone / "honest_0.json").read_text())
    hog = json.loads((together / "a_hog.json").read_text())
    assert normal["score"] == 4.0, normal["tasks"]  # full marks and the bonus
    for path in honest:
        beside = json.loads((together / f"{path.stem}.json").read_text())
        assert beside["score"] == normal["score"], (path.stem, beside["tasks"])
        assert [t["status"] for t in beside["tests"]] == [t["status"] for t in normal["tests"]]
    assert hog["sandbox"]["cpu"].startswith("cgroup")
