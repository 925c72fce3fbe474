#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (with network access), after it
# has extracted the bundle into /autograder/source. Base image: Gradescope's Ubuntu 22.04 (any
# Ubuntu or Debian with apt works); Python 3.11 comes from the deadsnakes PPA if missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
ROOT="${AUTOGRADER_ROOT:-/autograder}"
# bubblewrap builds the sandbox that keeps student code away from /autograder/source.
if ! command -v bwrap >/dev/null; then
    apt-get update && apt-get install -y bubblewrap
fi
if ! command -v python3.11 >/dev/null; then
    apt-get update
    apt-get install -y software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y python3.11 python3.11-venv
fi
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --upgrade pip
# The exact versions of requirements/gradescope.lock (`make lock`), then the kit without resolving
# anything again. CPU-only torch where PyTorch's CPU wheel index is reachable (a tenth of the CUDA
# build's size): once a +cpu build is in, the CUDA libraries that only PyPI's torch wheel needs are
# left out of the lock; otherwise everything, torch included, comes from the default index.
LOCK="$ROOT/source/requirements/gradescope.lock"
PINS=$(grep -oE '^(torch|torchvision)==[0-9.]+' "$LOCK" | tr '\n' ' ')
CPU_BUILD='import importlib.metadata as m, sys; sys.exit(not m.version("torch").endswith("+cpu"))'
if "$ROOT/venv/bin/pip" install --timeout 20 --retries 1 --no-deps \
    --index-url "${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}" $PINS \
    && "$ROOT/venv/bin/python" -c "$CPU_BUILD"; then
    grep -vE '^(nvidia-|cuda-|triton==)' "$LOCK" > "$ROOT/cpu.lock"
    LOCK="$ROOT/cpu.lock"
else
    echo "No CPU-only torch from PyTorch's CPU index: torch and its CUDA libraries come from the lock"
fi
"$ROOT/venv/bin/pip" install -r "$LOCK"
"$ROOT/venv/bin/pip" install --no-deps "$ROOT/source"
