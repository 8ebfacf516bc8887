#!/usr/bin/env bash
# Trains the shipped FPN2-WS generalist on a GPU machine (no Node there): DSB2018 fields
# sampled on the fly (models-onnx/training/fields.py), the same validation fields as
# `nucseg augment --seed 0` (list in $1/dsb_val.txt), evaluation on those fields and on
# BBBC039 (never trained on), ONNX export with float16 weights and a model card.
#   bash scripts/device-train.sh <data dir with data/dsb, data/bbbc039, dsb_val.txt> <out dir> [cycles] [rois per cycle]
set -uo pipefail
d=${1:?data dir}; out=${2:?out dir}; cycles=${3:-5}; rois=${4:-20000}
mkdir -p "$out"
nvidia-smi --query-gpu=name --format=csv,noheader | tee "$out/gpu.txt"
export PYTHONUNBUFFERED=1
python3 models-onnx/training/train.py --fields "$d/data/dsb" --val-names "$d/dsb_val.txt" \
  --rois-per-cycle "$rois" --cycles "$cycles" --batch 32 --workers 14 --encoder resnet18 --float16 --seed 0 \
  --name nuclei-fpn2ws-dsb --out "$out/nuclei-fpn2ws-dsb.onnx" \
  --evaluate "dsb-validation=$d/data/dsb:$d/dsb_val.txt" --evaluate "bbbc039=$d/data/bbbc039" 2>&1 | tee "$out/train.log" | grep -v '"step"'
rc=${PIPESTATUS[0]}
if [ -f "$out/nuclei-fpn2ws-dsb.onnx" ]; then
  split -b 15m "$out/nuclei-fpn2ws-dsb.onnx" "$out/nuclei-fpn2ws-dsb.onnx.part-" && rm "$out/nuclei-fpn2ws-dsb.onnx"
fi
exit $rc
