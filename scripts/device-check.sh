#!/usr/bin/env bash
# GPU check, run on the device machine (no Node there): builds the native core with CUDA
# (sm_90) and the C++ tests, runs them, compares the CUDA kernels with the CPU reference on
# real label images (scripts: native/bench/gpu_check.cpp) and runs compute-sanitizer.
# Inputs: a folder with real2048_{mask,gt,pred}.npy from ../shared/bench/make_inputs.py.
#   bash scripts/device-check.sh <inputs dir> <output dir>
set -uo pipefail
in=${1:?inputs dir}
out=${2:?output dir}
mkdir -p "$out"
build=/tmp/nucseg-build
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
cmake -S . -B "$build" -G Ninja -DNUCSEG_TESTS=ON -DNUCSEG_CUDA=ON -DNUCSEG_CUDA_ARCHS=90 -DCMAKE_BUILD_TYPE=Release >"$out/cmake.txt" 2>&1 || { tail -30 "$out/cmake.txt"; exit 1; }
cmake --build "$build" -j "$(nproc)" >"$out/build.txt" 2>&1 || { tail -40 "$out/build.txt"; exit 1; }
"$build/nucseg_tests" 2>&1 | tail -3 | tee "$out/native-tests.txt"
"$build/nucseg_gpu_check" "$in" 9 2>&1 | tee "$out/gpu-check.txt"
rc=${PIPESTATUS[0]}
timeout 200 compute-sanitizer --tool memcheck --leak-check full "$build/nucseg_gpu_check" "$in" 1 >"$out/memcheck.txt" 2>&1
echo "memcheck exit $?: $(grep -E 'ERROR SUMMARY' "$out/memcheck.txt" | tail -1)" | tee -a "$out/gpu-check.txt"
timeout 120 compute-sanitizer --tool racecheck "$build/nucseg_gpu_check" "$in" 1 >"$out/racecheck.txt" 2>&1
echo "racecheck exit $?: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/racecheck.txt" | tail -1)" | tee -a "$out/gpu-check.txt"
exit $rc
