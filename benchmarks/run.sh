#!/usr/bin/env bash
# Benchmark of a dunning run: benchmarks/run.sh [N ...]   (default: 10000 100000)
#
# Per N: a data database dd_bench_data_<N> (the addon's template + generate.py's book of
# N invoices), made once and kept; it is updated (-u debtor_dunning) when the addon
# changed. Each measurement runs bench_escalation.py on a scratch copy, dd_bench_run,
# dropped afterwards. Environment:
#   REPS=3        measurements per N (default 1), each on a fresh copy
#   QUERIES=1     also write each step's statements, grouped, next to the results
#   PROFILE=1     also write a cProfile of each step (slows the run down)
#   RESULTS=file  JSON lines of the steps (default ~/.cache/debtor_dunning/bench/results.jsonl)
#   REGENERATE=1  rebuild the data databases
source "$(dirname "$0")/../scripts/lib.sh"
setup_all

BENCH="$REPO/benchmarks"
OUT="$STATE/bench"
RESULTS=${RESULTS:-$OUT/results.jsonl}
REPS=${REPS:-1}
SCRATCH=dd_bench_run
mkdir -p "$OUT" "$(dirname "$RESULTS")"
[ $# -gt 0 ] || set -- 10000 100000
touch "$RESULTS"
FIRST=$(wc -l <"$RESULTS")

# The template is keyed by the addon's files; another job may replace it between
# need_template and the copy, so the copy is retried with the template of the moment.
copy_template() {
    local _
    for _ in 1 2 3; do
        need_template
        copy_db "$TPL" "$1" 2>/dev/null && db_exists "$1" && return 0
        sleep 5
    done
    die "could not copy the template $TPL to $1"
}

need_data() { # need_data N: dd_bench_data_N with the book, for the current addon
    local n=$1 data="dd_bench_data_$1" new="dd_bench_data_$1_new"
    if [ "${REGENERATE:-}" = 1 ] || ! db_exists "$data" || [ ! -f "$STATE/$data.version" ]; then
        say "building $data: $n invoices"
        drop_db "$data" 2>/dev/null || true
        copy_template "$new"
        python "$BENCH/generate.py" -c "$ODOO_CONF" -d "$new" "$n" --check ||
            { drop_db "$new"; die "generate.py failed for N=$n"; }
        psql -qd "$new" -c "VACUUM (ANALYZE) res_partner, account_move, account_move_line,
            account_partial_reconcile, account_full_reconcile"
        psql -qd postgres -c "ALTER DATABASE \"$new\" RENAME TO \"$data\""
        rm -rf "$(filestore "$data")"
        [ -d "$(filestore "$new")" ] && mv "$(filestore "$new")" "$(filestore "$data")"
        echo "$TPL" >"$STATE/$data.version"
    else
        need_template
        if [ "$(cat "$STATE/$data.version")" != "$TPL" ]; then
            say "the addon changed since $data was made: updating it (-u debtor_dunning)"
            odoo_bin -d "$data" -u debtor_dunning --stop-after-init --log-level=warn ||
                die "updating $data failed (REGENERATE=1 rebuilds it)"
            echo "$TPL" >"$STATE/$data.version"
        fi
    fi
}

for n in "$@"; do
    need_data "$n"
    for rep in $(seq "$REPS"); do
        say "N=$n, measurement $rep/$REPS on a copy of dd_bench_data_$n"
        copy_db "dd_bench_data_$n" "$SCRATCH"
        extra=()
        [ "${QUERIES:-}" = 1 ] && extra+=(--queries "$OUT/queries_${n}_$rep.json")
        [ "${PROFILE:-}" = 1 ] && extra+=(--profile "$OUT/profile_${n}_$rep")
        if ! python "$BENCH/bench_escalation.py" -c "$ODOO_CONF" -d "$SCRATCH" \
            --label "N=$n rep=$rep addon=$(cat "$STATE/dd_bench_data_$n.version")" "${extra[@]}" |
            while IFS= read -r line; do
                case "$line" in
                    "JSON "*) printf '%s\n' "${line#JSON }" >>"$RESULTS" ;;
                    *) printf '%s\n' "$line" ;;
                esac
            done; then
            drop_db "$SCRATCH"
            die "bench_escalation.py failed on N=$n"
        fi
        drop_db "$SCRATCH"
    done
done

# Medians of what this invocation measured.
python "$BENCH/bench_escalation.py" --summarize "$RESULTS" --skip "$FIRST"
say "results appended to $RESULTS"
