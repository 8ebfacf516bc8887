#!/usr/bin/env bash
# Trains the shipped FPN2-WS generalist on a GPU machine (no Node there), in one call:
#  1. the candidate: full-resolution head (--head $HEAD: fullres, the default, a decoder per
#     map; lite, one light decoder for both maps at about the stride-4 head's CPU time),
#     scale-normalized training (every
#     DSB field resized so its median nucleus is 24 px, x a log-uniform jitter 0.6-1.6: what
#     automatic scale at inference expects), transfer from the shipped model's encoder and
#     pyramid, cosine learning rate, bounded by a time budget; post-processing tuned on the
#     DSB validation fields (the same ones `nucseg augment --seed 0` holds out, $1/dsb_val.txt);
#     evaluated there and on BBBC039 (never trained on), with automatic scale; ONNX export
#     with float16 weights and a model card;
#  2. the head comparison at equal training compute: 'fpn' (the seed paper's stride-4 head)
#     and 'fullres', same recipe, same init, same ROIs (cards only).
#   bash scripts/device-train.sh <data dir with data/dsb, data/bbbc039, dsb_val.txt> <out dir> [train.py options]
# (options after <out dir> go to the candidate's train.py, e.g. --lr 3e-4 --freeze-cycles 0)
# Sizes (environment): HEAD (fullres), ROIS per cycle (25000), CYCLES (10), BUDGET s of training (270),
# CMP_ROIS per cycle x 3 cycles for the comparison (8000; 0 skips it), WORKERS (15).
set -uo pipefail
d=${1:?data dir}; out=${2:?out dir}; shift 2
HEAD=${HEAD:-fullres}; ROIS=${ROIS:-25000}; CYCLES=${CYCLES:-10}; BUDGET=${BUDGET:-270}; CMP_ROIS=${CMP_ROIS:-8000}; WORKERS=${WORKERS:-15}
mkdir -p "$out"
nvidia-smi --query-gpu=name --format=csv,noheader | tee "$out/gpu.txt"
export PYTHONUNBUFFERED=1
train() { python3 models-onnx/training/train.py --fields "$d/data/dsb" --val-names "$d/dsb_val.txt" --batch 32 --workers "$WORKERS" \
  --encoder resnet18 --diameter 24 --init models-onnx/nuclei-fpn2ws-dsb.onnx --freeze-cycles 1 --float16 --seed 0 \
  --evaluate "dsb-validation=$d/data/dsb:$d/dsb_val.txt" --tune dsb-validation --tune-workers "$(nproc)" "$@"; }
train --head "$HEAD" --rois-per-cycle "$ROIS" --cycles "$CYCLES" --schedule cosine --time-budget "$BUDGET" \
  --evaluate "bbbc039=$d/data/bbbc039" --name nuclei-fpn2ws-dsb --out "$out/nuclei-fpn2ws-dsb.onnx" "$@" 2>&1 | tee "$out/train.log" | grep -v '"step"'
rc=${PIPESTATUS[0]}
# a run that broke after the export (in evaluation) still returns its weights
[ -f "$out/nuclei-fpn2ws-dsb.onnx" ] || { [ -f "$out/nuclei-fpn2ws-dsb.onnx.tmp.onnx" ] && mv "$out/nuclei-fpn2ws-dsb.onnx.tmp.onnx" "$out/nuclei-fpn2ws-dsb.onnx"; }
if [ -f "$out/nuclei-fpn2ws-dsb.onnx" ]; then
  split -b 15m "$out/nuclei-fpn2ws-dsb.onnx" "$out/nuclei-fpn2ws-dsb.onnx.part-" && rm "$out/nuclei-fpn2ws-dsb.onnx"
fi
if [ "$CMP_ROIS" -gt 0 ]; then
  for head in fpn "$HEAD"; do
    train --head "$head" --rois-per-cycle "$CMP_ROIS" --cycles 3 --schedule cosine --out "/tmp/compare-$head.onnx" 2>&1 | grep -E '"(evaluate|tuned|done|budget)"' | sed "s/^/[compare $head] /"
    [ -f "/tmp/compare-$head.card.json" ] && python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c.pop('test',None); json.dump(c,open(sys.argv[2],'w'))" "/tmp/compare-$head.card.json" "$out/compare-$head.card.json"
  done
fi
exit $rc
