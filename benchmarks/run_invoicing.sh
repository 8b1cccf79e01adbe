#!/usr/bin/env bash
# The add-on's overhead on core invoicing: benchmarks/run_invoicing.sh [INVOICES]
#
# REPS times (default 3), alternating which goes first: bench_invoicing.py creates,
# posts and pays INVOICES invoices (default 1000) on a copy of the add-on's template
# (with) and on a copy of the base database it is made from (without: account and
# the Dutch and Belgian charts). Prints the medians and the ratios with/without.
#   RESULTS=file  JSON lines of the steps (default ~/.cache/debtor_dunning/bench/results.jsonl)
source "$(dirname "$0")/../scripts/lib.sh"
setup_all
source "$(dirname "$0")/lib.sh"
need_template

RESULTS=${RESULTS:-$OUT/results.jsonl}
REPS=${REPS:-3}
INVOICES=${1:-1000}
mkdir -p "$(dirname "$RESULTS")"
touch "$RESULTS"
FIRST=$(wc -l <"$RESULTS")
SCRATCH="${DB_PREFIX}_bench_invoicing"
trap 'drop_db "$SCRATCH" 2>/dev/null || true' EXIT

measure() { # measure with|without REP
    local source=$BASE_TPL
    [ "$1" = with ] && source=$TPL
    say "repetition $2/$REPS, $1 the add-on: $INVOICES invoices on a copy of $source (load $(cut -d' ' -f1-3 /proc/loadavg))"
    copy_db "$source" "$SCRATCH"
    python "$BENCH/bench_invoicing.py" -c "$ODOO_CONF" -d "$SCRATCH" \
        --invoices "$INVOICES" --label "rep=$2 $1 addon=$TPL" | collect_json "$RESULTS" ||
        die "bench_invoicing.py failed on $source"
    drop_db "$SCRATCH"
}

for rep in $(seq "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then order=(with without); else order=(without with); fi
    for variant in "${order[@]}"; do measure "$variant" "$rep"; done
done
python "$BENCH/bench_invoicing.py" --summarize "$RESULTS" --skip "$FIRST"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg); results appended to $RESULTS"
