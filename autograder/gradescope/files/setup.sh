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
# CPU-only torch where PyTorch's CPU wheel index is reachable (a tenth of the CUDA build's size);
# otherwise the pinned versions from the default index.
PINS=$(grep -oE '"(torch|torchvision)==[0-9.]+"' "$ROOT/source/pyproject.toml" | tr -d '"' | tr '\n' ' ')
"$ROOT/venv/bin/pip" install --timeout 20 --retries 1 \
    --index-url "${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}" $PINS \
    || echo "PyTorch's CPU index is not reachable: torch comes from the default index"
"$ROOT/venv/bin/pip" install "$ROOT/source"
