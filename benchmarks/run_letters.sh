#!/usr/bin/env bash
# Letters per second: benchmarks/run_letters.sh [LETTERS] [bench_letters.py options]
#
# A scratch copy of the add-on's template (with its demo data), an Odoo server on it
# for the letters' style sheets, then bench_letters.py: one run of LETTERS notices
# (default 100) rendered as one PDF in one wkhtmltopdf call (--each: also one by
# one). The copy and the server go when it ends.
source "$(dirname "$0")/../scripts/lib.sh"
setup_all
need_template

DB="${DB_PREFIX}_bench_letters"
LETTERS=${1:-100}
shift || true
copy_db "$TPL" "$DB"
PORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Odoo itself in the background (not the odoo_bin function, whose subshell $! would
# name: killing it left the server running, busy on its dropped database).
python "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" -d "$DB" --http-port="$PORT" \
    --db-filter="^$DB\$" --log-level=warn --max-cron-threads=0 \
    >"$STATE/$DB.server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; drop_db "$DB"' EXIT
python - "$PORT" <<'PY' || die "the Odoo server on $DB did not start; see $STATE/$DB.server.log"
import sys, time, urllib.request
for _ in range(60):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/web/login", timeout=2)
        # One static file first: Odoo reads the manifests on the first one, and
        # wkhtmltopdf's parallel requests could race there (SystemError in ast).
        urllib.request.urlopen(
            f"http://127.0.0.1:{sys.argv[1]}/web/static/img/favicon.ico", timeout=30
        )
        sys.exit(0)
    except OSError:
        time.sleep(1)
sys.exit(1)
PY
python "$REPO/benchmarks/bench_letters.py" -c "$ODOO_CONF" -d "$DB" \
    --letters "$LETTERS" --report-url "http://127.0.0.1:$PORT" "$@"
