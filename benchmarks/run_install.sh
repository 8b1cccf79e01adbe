#!/usr/bin/env bash
# Installing and updating the add-on on a large existing book:
#   benchmarks/run_install.sh [N ...]      (default: 100000)
#
# Per N: <prefix>_bench_bare_N, the base database (account and the Dutch and Belgian
# charts, no debtor_dunning) with generate.py's book of N invoices, built once and
# kept. REPS times (default 1) on a fresh copy of it, marked as a production database
# (no demo data: the add-on's demo company is not loaded), bench_install.py measures
#   install  odoo-bin -i debtor_dunning --stop-after-init
#   update   odoo-bin -u debtor_dunning --stop-after-init   (same files: no schema change)
# (wall time, CPU and peak RSS of the Odoo process, CPU of its PostgreSQL backends),
# then the copy is dropped.
#   RESULTS=file  JSON lines (default ~/.cache/debtor_dunning/bench/results.jsonl)
#   COUNTRY=NL    the bench company in that country before the install (default: its
#                 own, the United States: other law, no limitation dates to fill;
#                 NL: the Dutch law's limitation date of every open invoice is filled)
#   SQL=1         Odoo logs its queries (--log-level=debug_sql): their count and
#                 seconds and the longest are printed; the logging costs time itself
source "$(dirname "$0")/../scripts/lib.sh"
setup_all
source "$(dirname "$0")/lib.sh"
need_template   # the addon's hash, for the label

RESULTS=${RESULTS:-$OUT/results.jsonl}
REPS=${REPS:-1}
COUNTRY=${COUNTRY:-}
LOG_LEVEL=info; [ "${SQL:-}" = 1 ] && LOG_LEVEL=debug_sql
[ $# -gt 0 ] || set -- 100000
mkdir -p "$(dirname "$RESULTS")"
touch "$RESULTS"
FIRST=$(wc -l <"$RESULTS")
SCRATCH="${DB_PREFIX}_bench_install"
trap 'drop_db "$SCRATCH" 2>/dev/null || true' EXIT

for n in "$@"; do
    need_bare "$n"
    for rep in $(seq "$REPS"); do
        copy_db "$BARE" "$SCRATCH"
        psql -qd "$SCRATCH" -c "UPDATE ir_module_module SET demo = false"
        if [ -n "$COUNTRY" ]; then
            [ "$(psql -qAtd "$SCRATCH" -c "UPDATE res_partner SET country_id = (
                    SELECT id FROM res_country WHERE code = '$COUNTRY')
                  WHERE id = (SELECT partner_id FROM res_company
                               WHERE name = 'Dunning Bench $n')
                    AND EXISTS (SELECT 1 FROM res_country WHERE code = '$COUNTRY')
              RETURNING 1")" = 1 ] || die "COUNTRY=$COUNTRY: no such country or bench company"
        fi
        for step in install update; do
            flag=-i; [ "$step" = update ] && flag=-u
            say "N=$n, repetition $rep/$REPS: $flag debtor_dunning on a copy of $BARE (load $(cut -d' ' -f1-3 /proc/loadavg))"
            python "$BENCH/bench_install.py" --step "$step" --invoices "$n" \
                --label "N=$n rep=$rep addon=$TPL country=${COUNTRY:-US}" \
                --log "$OUT/${step}_$n.log" -- \
                python "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" -d "$SCRATCH" \
                "$flag" debtor_dunning --stop-after-init --log-level="$LOG_LEVEL" |
                collect_json "$RESULTS"
            [ "${PIPESTATUS[0]}" = 0 ] || die "$flag debtor_dunning failed on N=$n; see $OUT/${step}_$n.log"
        done
        drop_db "$SCRATCH"
    done
done

# Medians of this invocation.
python - "$RESULTS" "$FIRST" <<'PY'
import json, statistics, sys
from collections import defaultdict
groups = defaultdict(list)
for line in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]:
    r = json.loads(line) if line.strip() else {}
    if r.get("bench") == "install":
        groups[r["invoices"], r["step"]].append(r)
print(f"{'N':>8} {'step':<8} {'reps':>4} {'wall s':>8} {'CPU s':>7} {'PG CPU s':>8} "
      f"{'SQL s':>6} {'peak RSS MiB':>12} {'load':>11}")
for (n, step), rs in groups.items():
    def med(key):
        values = [r[key] for r in rs if r.get(key) is not None]
        return statistics.median(values) if values else float("nan")
    print(f"{n:>8,} {step:<8} {len(rs):>4} {med('wall_s'):>8.1f} {med('cpu_s'):>7.1f} "
          f"{med('pg_cpu_s'):>8.1f} {med('sql_s'):>6.1f} {med('rss_peak_mib'):>12.0f} "
          f"{med('load_1min'):>5.2f}-{med('load_1min_end'):<5.2f}")
PY
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg); results appended to $RESULTS"
