#!/usr/bin/env bash
# The three homeworks' full mode on CUDA: their CUDA, AMP (hw1 float16 + GradScaler, hw2/hw3
# bfloat16 autocast), cudnn.benchmark and pin_memory branches, on the miniature datasets
# (python -m autograder.miniatures), with the real full-mode models (hw2: ResNet-18 at 96x96;
# hw3: T5-small-sized configs). Records wall time and peak GPU memory per notebook.
#
#   bash bench/full_mode_gpu.sh [OUT_DIR]          # default: out/full_mode_gpu
#
# Needs the kit installed (`make install`: .venv with a CUDA build of torch) and an NVIDIA GPU;
# nothing is downloaded (HF_DATASETS_OFFLINE=1). Peak memory: nvidia-smi's memory.used sampled
# every 200 ms while a notebook runs (whole device, so run it on an otherwise idle GPU), and
# torch.cuda.max_memory_allocated() printed by a last cell added to the copy.
# Environment: SSL_FULL_STEPS (default 20), SSL_FULL_BATCH (default 64), SSL_FULL_TOKENS
# (default 2048), SSL_FULL_WORKERS (default 4); they cap the full-mode configs (see each
# notebook's first cell). Results: OUT_DIR/results.tsv and OUT_DIR/<hw>.ipynb (executed copies).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/out/full_mode_gpu}"  # out/ is git-ignored
PY="${PYTHON:-$ROOT/.venv/bin/python}"
JUPYTER="${JUPYTER:-$ROOT/.venv/bin/jupyter}"
HOMEWORKS=(hw1_pretext hw2_contrastive hw3_lms hw4_audio)

command -v nvidia-smi >/dev/null || { echo "full_mode_gpu.sh: no nvidia-smi: this needs an NVIDIA GPU" >&2; exit 2; }
"$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' ||
	{ echo "full_mode_gpu.sh: torch.cuda.is_available() is False in $PY" >&2; exit 2; }

mkdir -p "$OUT"
export SSL_DATA_ROOT="$OUT/miniatures"
export SSL_FULL_STEPS="${SSL_FULL_STEPS:-20}" SSL_FULL_BATCH="${SSL_FULL_BATCH:-64}"
export SSL_FULL_TOKENS="${SSL_FULL_TOKENS:-2048}" SSL_FULL_WORKERS="${SSL_FULL_WORKERS:-4}"
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HOME="$OUT/hf-home" MPLBACKEND=Agg
cd "$ROOT"
"$PY" -m autograder.miniatures --out "$SSL_DATA_ROOT"

GPU="$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | head -n 1)"
printf 'homework\tstatus\twall_s\tpeak_gpu_MiB\ttorch_peak_allocated_MiB\tgpu\tsteps\tbatch\ttokens\n' >"$OUT/results.tsv"
status_all=0
for hw in "${HOMEWORKS[@]}"; do
	work="$OUT/$hw"
	rm -rf "$work" && mkdir -p "$work" && cp -r "assignments/$hw/." "$work/"
	"$PY" -m autograder.miniatures --notebook "solutions/$hw/$hw.ipynb" --full-mode-copy "$work/$hw.full.ipynb"
	"$PY" - "$work/$hw.full.ipynb" <<'PYTHON'
import sys

import nbformat

notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(
    'import torch\nprint(f"PEAK_CUDA_ALLOCATED_MIB {torch.cuda.max_memory_allocated() / 2**20:.0f}")'))
nbformat.write(notebook, sys.argv[1])
PYTHON
	samples="$OUT/$hw.memory.csv"
	nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$samples" &
	sampler=$!
	start=$(date +%s.%N)
	status=ok
	(cd "$work" && "$JUPYTER" execute --inplace --timeout=1800 "$hw.full.ipynb") >"$OUT/$hw.log" 2>&1 || status=failed
	end=$(date +%s.%N)
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	cp "$work/$hw.full.ipynb" "$OUT/$hw.ipynb"
	peak=$(sort -n "$samples" | tail -n 1)
	allocated=$(grep -o 'PEAK_CUDA_ALLOCATED_MIB [0-9]*' "$OUT/$hw.ipynb" | awk '{ print $2 }' | tail -n 1)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$hw" "$status" "$wall" "${peak:-?}" "${allocated:-?}" "$GPU" \
		"$SSL_FULL_STEPS" "$SSL_FULL_BATCH" "$SSL_FULL_TOKENS" >>"$OUT/results.tsv"
	echo "$hw: $status in ${wall} s, peak GPU memory ${peak:-?} MiB (torch allocated ${allocated:-?} MiB; $OUT/$hw.log)"
	[ "$status" = ok ] || status_all=1
done
column -t -s $'\t' "$OUT/results.tsv"
exit "$status_all"
