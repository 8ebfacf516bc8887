#!/usr/bin/env bash
# Before/after of the watershed and FPN2-WS target kernels in one process each: the C++ of
# REV (default HEAD) renamed into namespace nucseg_prev, next to the working tree's, called
# in alternation on the shared 2048² inputs (1 thread), with the outputs compared.
#   test/bench/alternate/ab.sh [REV] [runs]
# Needs libopencv-dev (for the shared bench's .npy loader) and the bench inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/test/bench/alternate"
REV="${1:-HEAD}"
RUNS="${2:-11}"
SHARED="${NUCSEG_SHARED:-$ROOT/../shared}"
INPUTS="${NUCSEG_BENCH_INPUTS:-$ROOT/bench-inputs}"
WORK="$ROOT/bench-out/ab"
mkdir -p "$WORK"
# REV's sources, in namespace nucseg_prev (the watershed names what it uses: its explicit
# instantiations would be ambiguous beside nucseg::watershed under a using-directive)
for f in watershed filters distance; do
  git -C "$ROOT" show "$REV:native/src/$f.cpp" | /usr/bin/python3 -c '
import sys
s, f = sys.stdin.read(), sys.argv[1]
use = ("using nucseg::ImageView; using nucseg::WatershedOptions; using nucseg::ArgumentError; using nucseg::require_same_size;"
       + (" using nucseg::ScratchBuffer;" if "ScratchBuffer" in s else "") if f == "watershed" else "using namespace nucseg;")
s = s.replace("namespace nucseg {", "namespace nucseg_prev {\n" + use, 1).replace("}  // namespace nucseg", "}  // namespace nucseg_prev")
sys.stdout.write(s)' "$f" > "$WORK/prev_$f.cpp"
done
CV="$(pkg-config --cflags opencv4) -lopencv_imgproc -lopencv_core"
DEF="-DBENCH_OPENCV_CPP=\"$SHARED/bench/bench_opencv.cpp\""
g++ -O3 -std=c++17 -I"$ROOT/native/include" "$DEF" "$HERE/ab_watershed.cpp" "$WORK/prev_watershed.cpp" "$ROOT/native/src/watershed.cpp" -o "$WORK/ab_watershed" $CV
g++ -O3 -std=c++17 -I"$ROOT/native/include" "$DEF" "$HERE/ab_targets.cpp" "$WORK/prev_filters.cpp" "$WORK/prev_distance.cpp" \
  "$ROOT/native/src/filters.cpp" "$ROOT/native/src/distance.cpp" "$ROOT/native/src/components.cpp" "$ROOT/native/src/thread_pool.cpp" -o "$WORK/ab_targets" $CV -lpthread
echo "before = $REV, after = working tree; ratio > 1 = after faster"
"$WORK/ab_watershed" "$RUNS" "$INPUTS"
"$WORK/ab_targets" "$RUNS" "$INPUTS"
