#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built (with network access).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
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
python3.11 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source
