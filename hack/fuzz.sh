#!/usr/bin/env bash
# Runs every fuzz target of the module within a total time budget.
#
#   hack/fuzz.sh [BUDGET_SECONDS]      (make fuzz; FUZZ_BUDGET, default 900)
#   FUZZ_DIRS="cost backends" hack/fuzz.sh 60     (some packages only)
#
# Each package with Fuzz* targets is compiled once, instrumented for
# fuzzing (go test -c -fuzz=.), into $BIN/fuzz; then its targets run one
# after another from the binary (-test.fuzz=^FuzzX$), each for an equal
# share of what the budget has left after the builds, at least
# FUZZ_MIN_SECONDS (default 10). Failing inputs are written under the
# package's testdata/fuzz/FuzzX as go test does; the run stops at the
# first failure. The budget covers everything: a cold build cache adds the
# instrumented build of the dependencies (once; GOCACHE keeps it), which
# the script reports.
set -euo pipefail

GO=${GO:-go}
BIN=${BIN:-bin}
BUDGET=${1:-${FUZZ_BUDGET:-900}}
MIN=${FUZZ_MIN_SECONDS:-10}
PARALLEL=${FUZZ_PARALLEL:-2}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/$BIN/fuzz"
mkdir -p "$out"
cache="$($GO env GOCACHE)/fuzz"
start=$(date +%s)

# Packages with fuzz targets: their directories, from the sources (no
# build); FUZZ_DIRS="cost backends" limits the run to some.
if [[ -n "${FUZZ_DIRS:-}" ]]; then
  read -r -a dirs <<<"$FUZZ_DIRS"
else
  mapfile -t dirs < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sed 's|^\./||' | sort -u)
fi
declare -a pkgs bins
for d in "${dirs[@]}"; do
  pkg=$(cd "$d" && $GO list .)
  b="$out/$(echo "${pkg#*/*/*/}" | tr '/' '_').test"
  t0=$(date +%s)
  $GO test -c -fuzz=. -o "$b" "./$d"
  echo "built $pkg in $(( $(date +%s) - t0 )) s"
  pkgs+=("$pkg:$d")
  bins+=("$b")
done

# The targets, listed by the binaries.
declare -a targets
for i in "${!bins[@]}"; do
  for f in $("${bins[$i]}" -test.list '^Fuzz' | grep '^Fuzz'); do
    targets+=("$i:$f")
  done
done
built=$(( $(date +%s) - start ))
left=$(( BUDGET - built ))
each=$(( left / ${#targets[@]} ))
if (( each < MIN )); then each=$MIN; fi
echo "== ${#targets[@]} targets in ${#bins[@]} packages; builds took ${built} s; ${each} s each (budget ${BUDGET} s)"

for t in "${targets[@]}"; do
  i=${t%%:*}; f=${t#*:}
  pkg=${pkgs[$i]%%:*}; dir=${pkgs[$i]#*:}
  echo "== $pkg $f (${each}s)"
  (cd "$dir" && "${bins[$i]}" -test.run '^$' -test.fuzz "^$f\$" -test.fuzztime "${each}s" \
      -test.parallel "$PARALLEL" -test.fuzzcachedir "$cache/$pkg")
done
echo "== fuzzed ${#targets[@]} targets in $(( $(date +%s) - start )) s"
