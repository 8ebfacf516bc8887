#!/usr/bin/env bash
# Coverage-guided fuzzing of nucseg's parsers of untrusted bytes (Jazzer.js) and of the native
# kernels behind the N-API bindings (libFuzzer + ASan/UBSan). See docs/fuzzing.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   run each target SECONDS (default 30), one at a time
#   scripts/fuzz.sh --ci [TARGET...]         build everything, run each target 5 s, exit 1 on a finding
#   scripts/fuzz.sh --list                   list the targets
#
# TARGET: a name from --list, or `native` / `js` for a group (default: all).
# Environment:
#   NUCSEG_FUZZ_DIR    work folder (default build-fuzz/: CMake build, corpus/<target>/ (grows
#                      across runs), artifacts/<target>/ (crash-*, timeout-*, oom-*), logs/)
#   NUCSEG_FUZZ_KNOWN  known, unfixed findings to steer around (ids in docs/fuzzing.md,
#                      comma-separated, or "all"); unset: everything is reported
#   NUCSEG_FUZZ_JOBS   build parallelism (default 2)
#   CXX                the clang++ to build the native targets with (default: the newest found)
# Prints, per target, the executions, executions per second, corpus size and new findings.
# Exit status: 1 when any target found something (or failed to run), else 0.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="${NUCSEG_FUZZ_DIR:-$ROOT/build-fuzz}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

NATIVE_TARGETS=(fuzz_kernels fuzz_instances fuzz_augment)
JS_TARGETS=(tiff-guard decode-image card augment-config name-pattern imagej-roi)

SECONDS_EACH=30
CI=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) CI=1; SECONDS_EACH=5 ;;
    --list) printf '%s\n' "${NATIVE_TARGETS[@]}" "${JS_TARGETS[@]}"; exit 0 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    native) targets+=("${NATIVE_TARGETS[@]}") ;;
    js) targets+=("${JS_TARGETS[@]}") ;;
    [0-9]*) SECONDS_EACH="$1" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${NATIVE_TARGETS[@]}" "${JS_TARGETS[@]}")
is_native() { case " ${NATIVE_TARGETS[*]} " in *" $1 "*) return 0 ;; esac; return 1; }
is_js() { case " ${JS_TARGETS[*]} " in *" $1 "*) return 0 ;; esac; return 1; }
for t in "${targets[@]}"; do
  is_native "$t" || is_js "$t" || { echo "fuzz.sh: unknown target '$t' (see --list)" >&2; exit 2; }
done
want_native=0; want_js=0
for t in "${targets[@]}"; do is_native "$t" && want_native=1; is_js "$t" && want_js=1; done

log() { echo "fuzz.sh: $*" >&2; }
mkdir -p "$WORK/corpus" "$WORK/artifacts" "$WORK/logs"

# --- native build -----------------------------------------------------------------------
NATIVE_OK=0
if [ $want_native = 1 ]; then
  cxx="${CXX:-}"
  if [ -z "$cxx" ] || ! "$cxx" --version 2>/dev/null | grep -q clang; then
    cxx=""
    for c in clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14; do
      command -v "$c" >/dev/null && { cxx="$(command -v "$c")"; break; }
    done
  fi
  if [ -z "$cxx" ]; then
    log "SKIP native targets: no clang++ found (Debian: apt-get install clang libclang-rt-14-dev)"
  else
    cc="${cxx/clang++/clang}"
    if cmake -S "$ROOT" -B "$WORK" -G Ninja -DNUCSEG_FUZZ=ON -DNUCSEG_CUDA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >"$WORK/logs/cmake.log" 2>&1 &&
       cmake --build "$WORK" -j "${NUCSEG_FUZZ_JOBS:-2}" >>"$WORK/logs/cmake.log" 2>&1; then
      NATIVE_OK=1
    else
      log "native fuzz build FAILED (see $WORK/logs/cmake.log):"
      tail -20 "$WORK/logs/cmake.log" >&2
    fi
  fi
fi

# --- Jazzer.js ---------------------------------------------------------------------------
JS_OK=0
JAZZER_ENV=()
if [ $want_js = 1 ]; then
  if [ ! -d node_modules/@jazzer.js/core ]; then
    log "SKIP js targets: @jazzer.js/core is not installed (npm install)"
  # dist/ is rebuilt only when a source is newer (tests running meanwhile may read it)
  elif [ ! -f dist/lib/index.js ] || [ -n "$(find lib tsconfig.json -newer dist/lib/index.js -name '*.ts' -o -newer dist/lib/index.js -name tsconfig.json 2>/dev/null | head -1)" ] &&
       ! npx tsc -p tsconfig.json >"$WORK/logs/tsc.log" 2>&1; then
    log "tsc FAILED (see $WORK/logs/tsc.log)"; tail -20 "$WORK/logs/tsc.log" >&2
  else
    fz=node_modules/@jazzer.js/fuzzer
    arch="$(node -p 'process.platform + "-" + process.arch')"
    # LD_BIND_NOW: resolve every symbol of the addon now, not at its first call
    probe() { env "${JAZZER_ENV[@]}" LD_BIND_NOW=1 node -e "require('./$1')" 2>&1; }
    err="$(probe "$fz/prebuilds/fuzzer-$arch.node")"
    if [ -n "$err" ] && echo "$err" | grep -q "GLIBC"; then
      # The prebuilt addon wants glibc 2.38 / GCC 13's libstdc++; this system is older (e.g.
      # Debian 12). Load a copy whose newer version needs are weak, with the few symbols it
      # uses from them preloaded (test/fuzz/compat/). addon.js looks in dist/prebuilds first.
      compat="$WORK/jazzer-compat"
      mkdir -p "$compat" "$fz/dist/prebuilds"
      if [ ! -f "$compat/libglibc-compat.so" ] || [ test/fuzz/compat/glibc-compat.cpp -nt "$compat/libglibc-compat.so" ]; then
        ${CXX_HOST:-g++} -shared -fPIC -O2 -o "$compat/libglibc-compat.so" test/fuzz/compat/glibc-compat.cpp || log "building the glibc compat shim failed"
      fi
      "$PY" test/fuzz/compat/weak-glibc-version.py "$fz/prebuilds/fuzzer-$arch.node" "$fz/dist/prebuilds/fuzzer-$arch.node" \
        GLIBC_2.38 GLIBC_2.39 GLIBC_2.40 GLIBCXX_3.4.32 GLIBCXX_3.4.33 >/dev/null
      JAZZER_ENV=("LD_PRELOAD=$compat/libglibc-compat.so")
      log "Jazzer.js: using the prebuilt addon with the glibc compat shim ($compat)"
      err="$(probe "$fz/dist/addon.js")"
    else
      rm -f "$fz/dist/prebuilds/fuzzer-$arch.node"  # a stale compat copy
    fi
    if [ -n "$err" ]; then
      log "SKIP js targets: the Jazzer.js addon does not load:"; echo "$err" | head -5 >&2
    else
      JS_OK=1
    fi
  fi
fi

# --- seeds -------------------------------------------------------------------------------
seed() {  # seed TARGET SCRIPT: fill corpus/TARGET from SCRIPT when it is empty
  local d="$WORK/corpus/$1"
  if [ -z "$(ls -A "$d" 2>/dev/null)" ]; then
    mkdir -p "$WORK/seeds"
    "$PY" "$2" "$WORK/seeds" >"$WORK/logs/seeds.log" 2>&1 || log "seed script $2 failed (see $WORK/logs/seeds.log)"
    mkdir -p "$d"
    [ -d "$WORK/seeds/$1" ] && cp -n "$WORK/seeds/$1"/* "$d"/ 2>/dev/null
  fi
}

# --- run ---------------------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
results=()
status=0
run_target() {
  local t="$1" art="$WORK/artifacts/$1" logf="$WORK/logs/$1.log" corpus="$WORK/corpus/$1"
  mkdir -p "$art" "$corpus"
  local before after rc
  before="$(ls "$art" | wc -l)"
  local lf=(-max_total_time="$SECONDS_EACH" -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$art/")
  if is_native "$t"; then
    seed "$t" native/fuzz/make_seeds.py
    timeout $((SECONDS_EACH + 120)) "$WORK/$t" "${lf[@]}" -timeout=10 -max_len=65536 "$corpus" >"$logf" 2>&1
    rc=$?
  else
    seed "$t" test/fuzz/make-seeds.py
    local jopts=(--timeout=5000 -i dist/lib/ -i test/fuzz/targets/)
    case "$t" in
      tiff-guard|name-pattern) jopts+=(--sync) ;;
      decode-image) jopts+=(-i node_modules/geotiff/ -i node_modules/pngjs/ -e node_modules/.vite/) ;;
      augment-config) jopts+=(-i node_modules/yaml/ -e node_modules/.vite/) ;;
      imagej-roi) jopts+=(--sync -i node_modules/fflate/ -e node_modules/.vite/) ;;
    esac
    NUCSEG_FUZZ_TMP="$WORK" timeout $((SECONDS_EACH + 180)) env "${JAZZER_ENV[@]}" \
      npx jazzer "test/fuzz/targets/$t.fuzz.mjs" "$corpus" "${jopts[@]}" -- "${lf[@]}" -max_len=65536 >"$logf" 2>&1
    rc=$?
  fi
  after="$(ls "$art" | wc -l)"
  local execs eps found=$((after - before)) ncorp
  execs="$(grep -a 'stat::number_of_executed_units' "$logf" | tail -1 | awk '{print $2}')"
  eps="$(grep -a 'stat::average_exec_per_sec' "$logf" | tail -1 | awk '{print $2}')"
  ncorp="$(ls "$corpus" | wc -l)"
  local verdict="ok"
  if [ "$found" -gt 0 ] || { [ "$rc" -ne 0 ] && [ -z "$execs" ]; } || grep -aq "==ERROR\|runtime error\|FINDING\|Uncaught Exception\|==[0-9]*== ERROR" "$logf"; then
    verdict="FINDING"
    [ "$found" -gt 0 ] || verdict="FAILED (exit $rc)"
    status=1
  fi
  results+=("$(printf '%-16s %10s %9s %7s  %s' "$t" "${execs:--}" "${eps:--}" "$ncorp" "$verdict")")
  if [ "$verdict" != ok ]; then
    log "$t: $verdict; log: $logf"
    grep -a -m3 -A12 "==ERROR\|runtime error\|FINDING\|Uncaught Exception\|ERROR: libFuzzer" "$logf" | head -40 >&2
    ls -t "$art" | head -"$((found > 0 ? found : 0))" | sed "s|^|  artifact: $art/|" >&2
  fi
}

for t in "${targets[@]}"; do
  if is_native "$t"; then
    [ $NATIVE_OK = 1 ] || { results+=("$(printf '%-16s %10s %9s %7s  %s' "$t" - - - skipped)"); continue; }
  else
    [ $JS_OK = 1 ] || { results+=("$(printf '%-16s %10s %9s %7s  %s' "$t" - - - skipped)"); continue; }
  fi
  log "$t: ${SECONDS_EACH}s"
  run_target "$t"
done

echo
printf '%-16s %10s %9s %7s  %s\n' target execs exec/s corpus result
printf '%s\n' "${results[@]}"
[ -n "${NUCSEG_FUZZ_KNOWN:-}" ] && echo "(targets steered around known findings: $NUCSEG_FUZZ_KNOWN)"
if [ $CI = 1 ]; then
  for r in "${results[@]}"; do case "$r" in *skipped) status=1 ;; esac; done
fi
exit $status
