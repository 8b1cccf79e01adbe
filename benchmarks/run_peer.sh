#!/usr/bin/env bash
# Ours against OCA's account_credit_control 18.0 on the same book, in the same run:
#   benchmarks/run_peer.sh [N ...]          (default: 10000 50000)
#
# Per N: the data database <prefix>_bench_data_N (as run.sh makes it) and a copy of it
# with OCA's add-on, installed from its PyPI wheel (<prefix>_bench_oca_N, kept). Then
# REPS times, interleaved: ours on a fresh copy of the data database, OCA on a fresh
# copy of its own (bench_peer.py: propose, validate, same-day rerun). The first
# repetition's selections must be the same receivable lines (digest), or it stops.
# The medians and ratios ours/OCA are printed at the end. Environment:
#   REPS=3        repetitions per N (default 3)
#   OCA_MAX_N=n   measure OCA only up to N = n (default 50000): above, ours alone
#   ANALYZE=0     no ANALYZE before each step (default 1: autovacuum's part, untimed)
#   FIXPOINT_MAX_N=n  up to this N (default 10000) the first repetition of OCA then
#                 runs again on the same day until it adds nothing (untimed): its
#                 lines must end at the levels ours gives in one run
#   RESULTS=file  JSON lines of the steps (default ~/.cache/debtor_dunning/bench/results.jsonl)
#   REGENERATE=1  rebuild the data databases
source "$(dirname "$0")/../scripts/lib.sh"
setup_all
source "$(dirname "$0")/lib.sh"

RESULTS=${RESULTS:-$OUT/results.jsonl}
REPS=${REPS:-3}
OCA_MAX_N=${OCA_MAX_N:-50000}
FIXPOINT_MAX_N=${FIXPOINT_MAX_N:-10000}
ANALYZE=${ANALYZE:-1}
[ $# -gt 0 ] || set -- 10000 50000
mkdir -p "$(dirname "$RESULTS")"
touch "$RESULTS"
FIRST=$(wc -l <"$RESULTS")
SCRATCH="${DB_PREFIX}_bench_peer_run"
trap 'drop_db "$SCRATCH" 2>/dev/null || true' EXIT

measure() { # measure ENGINE N REP SOURCE CONF
    local engine=$1 n=$2 rep=$3 source=$4 conf=$5 extra=()
    [ "$ANALYZE" = 1 ] && extra+=(--analyze)
    if [ "$rep" = 1 ]; then
        extra+=(--digest "$OUT/peer_digest_${n}_$engine.json")
        [ "$engine" = oca ] && [ "$n" -le "$FIXPOINT_MAX_N" ] && extra+=(--fixpoint)
    fi
    say "N=$n, repetition $rep/$REPS: $engine on a copy of $source (load $(cut -d' ' -f1-3 /proc/loadavg))"
    copy_db "$source" "$SCRATCH"
    python "$BENCH/bench_peer.py" -c "$conf" -d "$SCRATCH" --engine "$engine" \
        --label "N=$n rep=$rep engine=$engine addon=$(cat "$STATE/$DATA.version") $OCA_PACKAGE" \
        "${extra[@]}" | collect_json "$RESULTS" ||
        die "bench_peer.py --engine $engine failed on N=$n"
    drop_db "$SCRATCH"
}

for n in "$@"; do
    with_oca=true
    [ "$n" -le "$OCA_MAX_N" ] || with_oca=false
    if $with_oca; then need_oca_data "$n"; else need_data "$n"; fi
    for rep in $(seq "$REPS"); do
        measure ours "$n" "$rep" "$DATA" "$ODOO_CONF"
        if $with_oca; then
            measure oca "$n" "$rep" "$OCA_DATA" "$PEER_CONF"
            if [ "$rep" = 1 ]; then
                python "$BENCH/bench_peer.py" --compare "$OUT/peer_digest_${n}_ours.json" \
                    "$OUT/peer_digest_${n}_oca.json" ||
                    die "N=$n: the engines did not select the same lines (see above)"
            fi
        fi
    done
    $with_oca || say "N=$n: OCA not measured (OCA_MAX_N=$OCA_MAX_N)"
done

python "$BENCH/bench_peer.py" --summarize "$RESULTS" --skip "$FIRST"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg); results appended to $RESULTS"
