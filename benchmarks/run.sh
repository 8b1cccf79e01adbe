#!/usr/bin/env bash
# Benchmark of a dunning run: benchmarks/run.sh [N ...]   (default: 10000 100000)
#
# Per N: a data database <prefix>_bench_data_<N> (the addon's template + generate.py's
# book of N invoices; prefix: DUNNING_DB_PREFIX, default dd), made once and kept (see
# lib.sh); it is updated (-u debtor_dunning) when the addon changed. Each measurement
# runs bench_escalation.py on a scratch copy, <prefix>_bench_run, dropped afterwards.
# Environment:
#   REPS=3        measurements per N (default 1), each on a fresh copy
#   QUERIES=1     also write each step's statements, grouped, next to the results
#   PROFILE=1     also write a cProfile of each step (slows the run down)
#   RESULTS=file  JSON lines of the steps (default ~/.cache/debtor_dunning/bench/results.jsonl)
#   REGENERATE=1  rebuild the data databases
source "$(dirname "$0")/../scripts/lib.sh"
setup_all
source "$(dirname "$0")/lib.sh"

RESULTS=${RESULTS:-$OUT/results.jsonl}
REPS=${REPS:-1}
SCRATCH="${DB_PREFIX}_bench_run"
mkdir -p "$(dirname "$RESULTS")"
[ $# -gt 0 ] || set -- 10000 100000
touch "$RESULTS"
FIRST=$(wc -l <"$RESULTS")

for n in "$@"; do
    need_data "$n"
    for rep in $(seq "$REPS"); do
        say "N=$n, measurement $rep/$REPS on a copy of $DATA"
        copy_db "$DATA" "$SCRATCH"
        extra=()
        [ "${QUERIES:-}" = 1 ] && extra+=(--queries "$OUT/queries_${n}_$rep.json")
        [ "${PROFILE:-}" = 1 ] && extra+=(--profile "$OUT/profile_${n}_$rep")
        if ! python "$BENCH/bench_escalation.py" -c "$ODOO_CONF" -d "$SCRATCH" \
            --label "N=$n rep=$rep addon=$(cat "$STATE/$DATA.version")" "${extra[@]}" |
            collect_json "$RESULTS"; then
            drop_db "$SCRATCH"
            die "bench_escalation.py failed on N=$n"
        fi
        drop_db "$SCRATCH"
    done
done

# Medians of what this invocation measured.
python "$BENCH/bench_escalation.py" --summarize "$RESULTS" --skip "$FIRST"
say "results appended to $RESULTS"
