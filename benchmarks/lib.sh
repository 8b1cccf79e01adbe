# shellcheck shell=bash
# Shared by the benchmark scripts: the books they measure, OCA's add-on, the peer's
# Odoo configuration. Source it after scripts/lib.sh and setup_all.
#
# Databases made here start with $DB_PREFIX (DUNNING_DB_PREFIX, default dd):
#   <prefix>_bench_data_<N>   the add-on's template + generate.py's book of N invoices
#   <prefix>_bench_bare_<N>   the base database (account only, no add-on) + the same book
#   <prefix>_bench_oca_<N>    a copy of _bench_data_<N> with OCA's account_credit_control
# They are built once and kept; a file <name>.version in $STATE says from what.

BENCH="$REPO/benchmarks"
OUT="$STATE/bench"
mkdir -p "$OUT"

# OCA's add-on, from its wheel on PyPI, never from git: installed without
# dependencies (its only one is odoo itself, which is ODOO_PATH here) into a folder
# of its own that only the peer's configuration puts on the addons path.
OCA_PACKAGE=${OCA_PACKAGE:-odoo-addon-account_credit_control==18.0.2.0.2.6}
OCA_HOME="$STATE/oca-addons"

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

# build_book SOURCE TARGET N: TARGET = a copy of SOURCE with generate.py's book.
build_book() {
    local source=$1 target=$2 n=$3 new="$2_new"
    say "building $target: $n invoices on a copy of $source"
    drop_db "$target" 2>/dev/null || true
    if [ "$source" = template ]; then copy_template "$new"; else copy_db "$source" "$new"; fi
    python "$BENCH/generate.py" -c "$ODOO_CONF" -d "$new" "$n" --check ||
        { drop_db "$new"; die "generate.py failed for N=$n on $new"; }
    psql -qd "$new" -c "VACUUM (ANALYZE) res_partner, account_move, account_move_line,
        account_partial_reconcile, account_full_reconcile"
    psql -qd postgres -c "ALTER DATABASE \"$new\" RENAME TO \"$target\""
    rm -rf "$(filestore "$target")"
    [ -d "$(filestore "$new")" ] && mv "$(filestore "$new")" "$(filestore "$target")"
    return 0
}

# need_data N: DATA=<prefix>_bench_data_N with the book, for the current addon.
need_data() {
    local n=$1
    DATA="${DB_PREFIX}_bench_data_$n"
    if [ "${REGENERATE:-}" = 1 ] || ! db_exists "$DATA" || [ ! -f "$STATE/$DATA.version" ]; then
        build_book template "$DATA" "$n"
        need_template
        echo "$TPL" >"$STATE/$DATA.version"
    else
        need_template
        if [ "$(cat "$STATE/$DATA.version")" != "$TPL" ]; then
            say "the addon changed since $DATA was made: updating it (-u debtor_dunning)"
            odoo_bin -d "$DATA" -u debtor_dunning --stop-after-init --log-level=warn ||
                die "updating $DATA failed (REGENERATE=1 rebuilds it)"
            echo "$TPL" >"$STATE/$DATA.version"
        fi
    fi
}

# need_bare N: BARE=<prefix>_bench_bare_N, the same book in the base database
# (account and the Dutch and Belgian charts, no debtor_dunning): the book of a
# company that has never had the add-on. Depends only on Odoo, not on the addon.
need_bare() {
    local n=$1
    need_base_template
    BARE="${DB_PREFIX}_bench_bare_$n"
    if [ "${REGENERATE:-}" = 1 ] || ! db_exists "$BARE" ||
        [ "$(cat "$STATE/$BARE.version" 2>/dev/null)" != "$BASE_TPL" ]; then
        build_book "$BASE_TPL" "$BARE" "$n"
        echo "$BASE_TPL" >"$STATE/$BARE.version"
    fi
}

# OCA's wheel in $OCA_HOME, and PEER_CONF: ODOO_CONF with its addons on the path.
need_oca() {
    if [ "$(cat "$OCA_HOME/.complete" 2>/dev/null)" != "$OCA_PACKAGE" ]; then
        say "installing $OCA_PACKAGE (PyPI, without dependencies) into $OCA_HOME"
        rm -rf "$OCA_HOME"
        pip install -q --no-deps --target "$OCA_HOME" "$OCA_PACKAGE" ||
            die "pip could not install $OCA_PACKAGE"
        echo "$OCA_PACKAGE" >"$OCA_HOME/.complete"
    fi
    [ -f "$OCA_HOME/odoo/addons/account_credit_control/__manifest__.py" ] ||
        die "$OCA_HOME holds no odoo/addons/account_credit_control"
    PEER_CONF="${ODOO_CONF%.conf}-peer.conf"
    sed "s|^addons_path = \(.*\)$|addons_path = \1,$OCA_HOME/odoo/addons|" \
        "$ODOO_CONF" >"$PEER_CONF"
}

# need_oca_data N: OCA_DATA=<prefix>_bench_oca_N: the data database of N with OCA's
# account_credit_control installed (configured by bench_peer.py, per copy).
need_oca_data() {
    local n=$1 version
    need_data "$n"
    need_oca
    OCA_DATA="${DB_PREFIX}_bench_oca_$n"
    version="$(cat "$STATE/$DATA.version") $OCA_PACKAGE"
    if db_exists "$OCA_DATA" && [ "$(cat "$STATE/$OCA_DATA.version" 2>/dev/null)" = "$version" ]; then
        return 0
    fi
    say "building $OCA_DATA: $DATA + account_credit_control"
    copy_db "$DATA" "${OCA_DATA}_new"
    if ! python "$ODOO_PATH/odoo-bin" -c "$PEER_CONF" -d "${OCA_DATA}_new" \
        -i account_credit_control --stop-after-init --log-level=warn \
        >"$OUT/${OCA_DATA}.log" 2>&1 || grep -E "$ODOO_FAILURES" "$OUT/${OCA_DATA}.log" >&2; then
        tail -n 30 "$OUT/${OCA_DATA}.log" >&2
        drop_db "${OCA_DATA}_new"
        die "installing account_credit_control failed; see $OUT/${OCA_DATA}.log"
    fi
    drop_db "$OCA_DATA" 2>/dev/null || true
    psql -qd postgres -c "ALTER DATABASE \"${OCA_DATA}_new\" RENAME TO \"$OCA_DATA\""
    rm -rf "$(filestore "$OCA_DATA")"
    [ -d "$(filestore "${OCA_DATA}_new")" ] && mv "$(filestore "${OCA_DATA}_new")" "$(filestore "$OCA_DATA")"
    echo "$version" >"$STATE/$OCA_DATA.version"
}

# Results: one JSON line per step, prefixed "JSON " on the scripts' stdout.
collect_json() { # collect_json FILE: stdout lines "JSON ..." go to FILE, the rest shown
    local line
    while IFS= read -r line; do
        case "$line" in
            "JSON "*) printf '%s\n' "${line#JSON }" >>"$1" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done
}
