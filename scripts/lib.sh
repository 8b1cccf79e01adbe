# shellcheck shell=bash
# Shared set-up for scripts/run and scripts/test: every step is idempotent.
# Reads ODOO_PATH (an Odoo 18.0 or 19.0 source tree) and the usual PG* variables.
# Everything made per Odoo version (virtualenv, configuration, databases) carries the
# series in its name, so an 18.0 and a 19.0 tree can be used side by side.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DEBTOR_DUNNING_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/debtor_dunning}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432}
DB_USER=${DUNNING_DB_USER:-debtor_dunning}
DB_PASSWORD=${DUNNING_DB_PASSWORD:-debtor_dunning}
PG_ADMIN=${PG_ADMIN_USER:-postgres}
# Databases made here start with this prefix (templates, tests); set it to work on
# several checkouts at once without one dropping the other's template.
DB_PREFIX=${DUNNING_DB_PREFIX:-dd}
# Odoo's requirements compile psycopg2 and python-ldap (compiler, headers); git lists
# the addon's files and runs pre-commit; the rest are letters, tours and psql.
APT_PACKAGES=(python3-venv python3-dev build-essential git libldap2-dev libsasl2-dev
    libpq-dev wkhtmltopdf chromium poppler-utils fonts-dejavu-core postgresql-client)

# Lines of an Odoo log that mean the install or update did not go right (19.0 skips a
# module whose manifest names another series with a warning only).
ODOO_FAILURES=' (ERROR|CRITICAL) |demo data failed to install|Some modules are not loaded|has an incompatible version|not installable'

if [ -t 2 ]; then BOLD=$'\033[1m' RED=$'\033[31m' PLAIN=$'\033[0m'; else BOLD='' RED='' PLAIN=''; fi
say() { printf '%s[debtor_dunning]%s %s\n' "$BOLD" "$PLAIN" "$*" >&2; }
die() { printf '%s[debtor_dunning] %s%s\n' "$RED" "$*" "$PLAIN" >&2; exit 2; }

# -- Odoo ---------------------------------------------------------------------------
need_odoo() {
    local howto="Get Odoo 18.0 or 19.0 community (git clone -b 18.0 --depth 1 of Odoo's repository, or its nightly source tarball; the same with 19.0) and run: export ODOO_PATH=/path/to/odoo"
    [ -n "${ODOO_PATH:-}" ] || die "ODOO_PATH is not set. $howto"
    [ -f "$ODOO_PATH/odoo/release.py" ] && [ -f "$ODOO_PATH/odoo-bin" ] ||
        die "ODOO_PATH=$ODOO_PATH is not an Odoo source tree (no odoo-bin or odoo/release.py). $howto"
    # version_info = (18, 0, ...) or ('saas~18', 2, ...): the series is "18.0", "saas~18.2".
    ODOO_SERIES=$(sed -nE "s/^version_info = \(['\"]?([^,'\"]+)['\"]?, *([0-9]+),.*/\1.\2/p" \
        "$ODOO_PATH/odoo/release.py")
    case "$ODOO_SERIES" in
    18.0 | 19.0) ;;
    *) die "ODOO_PATH=$ODOO_PATH is Odoo ${ODOO_SERIES:-of an unknown version}, but debtor_dunning needs Odoo 18.0 or 19.0. $howto" ;;
    esac
    # The major version names what is made per series: databases, virtualenv, config.
    SERIES_TAG=${ODOO_SERIES%%.*}
    ODOO_ADDONS="$ODOO_PATH/odoo/addons"
    [ -d "$ODOO_ADDONS/account" ] || ODOO_ADDONS="$ODOO_PATH/addons"
    [ -d "$ODOO_ADDONS/account" ] || die "No 'account' addon under ODOO_PATH=$ODOO_PATH. $howto"
}

# -- Debian packages ----------------------------------------------------------------
need_system_packages() {
    local missing=() p
    for p in "${APT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
        die "Missing Debian packages: ${missing[*]}. Install them with: apt-get install ${missing[*]}"
    fi
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    say "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# -- Python virtualenv --------------------------------------------------------------
need_venv() {
    local py=${PYTHON:-python3.11}
    command -v "$py" >/dev/null || py=python3
    "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
        die "Python 3.11 is needed (found $("$py" --version 2>&1)). Set PYTHON=/path/to/python3.11"
    local key
    key=$(cat "$ODOO_PATH/requirements.txt" "$REPO/requirements-dev.txt" \
        "$REPO/scripts/build-constraints.txt" | sha1sum | cut -c1-12)
    # One per series: its .pth file points at one Odoo tree.
    VENV="$STATE/venv-$ODOO_SERIES-$key"
    if [ ! -f "$VENV/.complete" ]; then
        say "creating the virtualenv $VENV (Odoo $ODOO_SERIES's requirements, once per machine)"
        rm -rf "$VENV"
        mkdir -p "$STATE"
        "$py" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade "pip>=25.3" "setuptools<70" wheel
        "$VENV/bin/pip" install -q --build-constraint "$REPO/scripts/build-constraints.txt" \
            -r "$ODOO_PATH/requirements.txt" -r "$REPO/requirements-dev.txt" ||
            die "pip could not install Odoo's requirements into $VENV (see the error above)"
        touch "$VENV/.complete"
    fi
    # Odoo needs no install: a .pth file puts ODOO_PATH on the virtualenv's path.
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    [ "$(cat "$site/odoo-path.pth" 2>/dev/null)" = "$ODOO_PATH" ] || echo "$ODOO_PATH" >"$site/odoo-path.pth"
    export PATH="$VENV/bin:$PATH"
}

# -- PostgreSQL ---------------------------------------------------------------------
pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3; }

need_postgres() {
    pg_up && { need_role; return 0; }
    local local_host=false
    case "$PGHOST" in 127.*|localhost|/*) local_host=true ;; esac
    if $local_host && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        say "no PostgreSQL server installed: installing and starting Debian's"
        need_system_packages postgresql
        local ver; ver=$(ls /etc/postgresql | sort -n | tail -1)
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || true
        for _ in $(seq 20); do pg_up && break; sleep 1; done
    fi
    if ! pg_up; then
        local hint="start it"
        if $local_host && [ -d /etc/postgresql ]; then
            hint="start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -n | tail -1) main start"
        fi
        die "PostgreSQL is not running at $PGHOST:$PGPORT: $hint (or set PGHOST/PGPORT to a running server)"
    fi
    need_role
}

need_role() {
    # Odoo refuses the postgres superuser: it gets a role of its own, with a password
    # (Debian's default pg_hba asks for one over TCP).
    local create="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;"
    if ! PGPASSWORD="$DB_PASSWORD" psql -qtA -U "$DB_USER" -d postgres -c 'select 1' >/dev/null 2>&1; then
        # As the admin role over TCP (trust), else as the postgres system user over
        # the local socket (Debian's peer authentication).
        psql -qtA -U "$PG_ADMIN" -d postgres -v ON_ERROR_STOP=1 -c "$create" >/dev/null 2>&1 ||
            { [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null &&
                runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD \
                    psql -p "$PGPORT" -qtA -d postgres -v ON_ERROR_STOP=1 -c "$create" >/dev/null; } ||
            die "Could not create the PostgreSQL role $DB_USER as $PG_ADMIN at $PGHOST:$PGPORT; create it with: sudo -u postgres createuser --createdb --pwprompt $DB_USER (password $DB_PASSWORD)"
    fi
    export PGUSER="$DB_USER" PGPASSWORD="$DB_PASSWORD"
}

# -- Odoo configuration and databases -----------------------------------------------
write_config() {
    # One configuration per checkout and series: two checkouts never point Odoo at each
    # other, nor an 18.0 run at a 19.0 tree.
    ODOO_CONF="$STATE/odoo-$ODOO_SERIES-$(printf '%s' "$REPO" | sha1sum | cut -c1-8).conf"
    mkdir -p "$STATE/data"
    cat >"$ODOO_CONF.new" <<CONF
[options]
addons_path = $ODOO_ADDONS,$REPO
data_dir = $STATE/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $DB_USER
db_password = $DB_PASSWORD
http_interface = 127.0.0.1
list_db = False
without_demo = False
CONF
    mv "$ODOO_CONF.new" "$ODOO_CONF"
}

odoo_bin() { python "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" "$@"; }
db_exists() { psql -qtA -d postgres -c "select 1 from pg_database where datname='$1'" | grep -q 1; }
filestore() { echo "$STATE/data/filestore/$1"; }
module_state() { # module_state DB MODULE: installed, uninstalled, ... or nothing
    psql -qtA -d "$1" -c "select state from ir_module_module where name = '$2'" 2>/dev/null || true
}
# The series of an Odoo database ("18.0"), from its base module; nothing if none.
db_series() {
    psql -qtA -d "$1" -c "select latest_version from ir_module_module where name = 'base'" \
        2>/dev/null | cut -d. -f1-2 || true
}

drop_db() {
    db_exists "$1" && dropdb --force "$1"
    rm -rf "$(filestore "$1")"
}

copy_db() { # copy_db SOURCE TARGET: the database and its filestore
    drop_db "$2" 2>/dev/null || true
    createdb -T "$1" "$2"
    if [ -d "$(filestore "$1")" ]; then cp -a "$(filestore "$1")" "$(filestore "$2")"; fi
}

# The add-ons of this repository: debtor_dunning and its bridge to sale, installed and
# tested together (the bridge installs itself when sale is there).
ADDONS=(debtor_dunning debtor_dunning_sale)
ADDONS_CSV=$(IFS=,; echo "${ADDONS[*]}")

addon_hash() { # the addons' files and Odoo's version decide the template
    (cd "$REPO" && find "${ADDONS[@]}" -type f ! -path '*/__pycache__/*' ! -name '*.pyc' |
        LC_ALL=C sort | xargs -d '\n' sha1sum; sha1sum "$ODOO_PATH/odoo/release.py") |
        sha1sum | cut -c1-10
}

# A database with account and the Dutch and Belgian charts, once per Odoo tree.
need_base_template() {
    local key
    # Keyed by the Odoo tree and by $STATE (whose data/ holds the base's filestore);
    # the series is in the name.
    key=$( (echo base-v3 "$STATE"; sha1sum "$ODOO_PATH/odoo/release.py"; ls "$ODOO_ADDONS") |
        sha1sum | cut -c1-8)
    BASE_TPL="dd_base_${SERIES_TAG}_$key"
    db_exists "$BASE_TPL" && [ -f "$STATE/$BASE_TPL.ok" ] && return 0
    say "building the base database $BASE_TPL (Odoo $ODOO_SERIES: account, sale, l10n_nl, l10n_be; once per Odoo tree)"
    drop_db "$BASE_TPL" 2>/dev/null || true
    # English stays the database's language; Dutch and Belgian French are loaded after.
    # sale is here, once per Odoo tree, for debtor_dunning_sale: not in each template.
    odoo_bin -d "$BASE_TPL" -i account,sale,l10n_nl,l10n_be --stop-after-init \
        --log-level=warn >"$STATE/$BASE_TPL.log" 2>&1 &&
        odoo_bin -d "$BASE_TPL" --load-language=nl_NL,nl_BE,fr_BE --stop-after-init \
            --log-level=warn >>"$STATE/$BASE_TPL.log" 2>&1 ||
        die "Odoo could not create $BASE_TPL; see $STATE/$BASE_TPL.log"
    touch "$STATE/$BASE_TPL.ok"
}

# A database with debtor_dunning and its demo data, keyed by the addon's files and
# named with the series: ${DB_PREFIX}_tpl_18_<hash>, ${DB_PREFIX}_tpl_19_<hash>. The
# scratch, test and run databases made from it carry the same "<series>_<hash>".
need_template() {
    need_base_template
    TPL="${DB_PREFIX}_tpl_${SERIES_TAG}_$(addon_hash)"
    db_exists "$TPL" && [ -f "$STATE/$TPL.ok" ] && return 0
    say "installing $ADDONS_CSV into the template $TPL (Odoo $ODOO_SERIES)"
    copy_db "$BASE_TPL" "$TPL"
    local addon installed=true
    if odoo_bin -d "$TPL" -i "$ADDONS_CSV" --stop-after-init --log-level=warn \
        >"$STATE/$TPL.log" 2>&1 && ! grep -E "$ODOO_FAILURES" "$STATE/$TPL.log" >&2; then
        for addon in "${ADDONS[@]}"; do
            [ "$(module_state "$TPL" "$addon")" = installed ] || installed=false
        done
    else
        installed=false
    fi
    if ! $installed; then
        tail -n 40 "$STATE/$TPL.log" >&2
        drop_db "$TPL"
        die "installing $ADDONS_CSV failed; the log is $STATE/$TPL.log"
    fi
    warm_assets "$TPL"
    touch "$STATE/$TPL.ok"
    # Old templates of earlier versions of the addon, on this series, go (the other
    # series' template stays). In LIKE an underscore matches any character: escaped.
    local old like
    like=$(printf '%s' "${DB_PREFIX}_tpl_${SERIES_TAG}_" | sed -e 's/[\\%_]/\\&/g')
    for old in $(psql -qtA -d postgres -c "select datname from pg_database where datname like '$like%' and datname <> '$TPL'"); do
        drop_db "$old" 2>/dev/null || true; rm -f "$STATE/$old".*
    done
}

# The asset bundles the tests and the first page load need (the web client, tours,
# portal, letters), compiled once into the template instead of once per test run.
# A bundle's name holds the checksum of its files, so a stale one is never served.
warm_assets() {
    python "$ODOO_PATH/odoo-bin" shell -c "$ODOO_CONF" -d "$1" --log-level=warn \
        >>"$STATE/$1.log" 2>&1 <<'PY' || die "compiling the asset bundles failed; see $STATE/$1.log"
bundles = {
    "web.assets_web": "css js",
    "web.assets_web_print": "css",
    "web.assets_tests": "js",
    "web.__assets_tests_call__": "js",
    "bus.websocket_worker_assets": "js",
    "web.assets_frontend": "css",
    "web.assets_frontend_minimal": "js",
    "web.assets_frontend_lazy": "js",
    "portal.assets_chatter": "css js",
    "web.report_assets_common": "css js",
}
for name, kinds in bundles.items():
    bundle = env["ir.qweb"]._get_asset_bundle(name)
    for kind in kinds.split():
        getattr(bundle, kind)()
env.cr.commit()
PY
}

setup_all() {
    need_odoo
    say "Odoo $ODOO_SERIES at $ODOO_PATH"
    # 19.0's requirements add python-magic, which loads libmagic (Odoo's Debian
    # package depends on python3-magic); without it Odoo guesses file types itself.
    local extra=()
    [ "$SERIES_TAG" -lt 19 ] || extra+=(libmagic1)
    need_system_packages "${extra[@]}"
    need_postgres
    need_venv
    write_config
}

# Update and uninstall of the addon, once per version of its files.
lifecycle_check() {
    local stamp="$STATE/$TPL.lifecycle" db="${DB_PREFIX}_life_${TPL#*_tpl_}" log
    [ -f "$stamp" ] && { say "install/update/uninstall already checked for this version ($stamp)"; return 0; }
    log="$STATE/$db.log"
    say "checking update (-u) and uninstall of $ADDONS_CSV on $db"
    copy_db "$TPL" "$db"
    odoo_bin -d "$db" -u "$ADDONS_CSV" --stop-after-init --log-level=warn >"$log" 2>&1 &&
        ! grep -E "$ODOO_FAILURES" "$log" >&2 || { tail -n 40 "$log" >&2; die "update (-u $ADDONS_CSV) failed; see $log"; }
    python "$ODOO_PATH/odoo-bin" shell -c "$ODOO_CONF" -d "$db" --log-level=warn >>"$log" 2>&1 <<'PY' || { tail -n 40 "$log" >&2; die "uninstall failed; see $log"; }
# Uninstalling debtor_dunning takes its bridge to sale with it; sale stays.
module = env["ir.module.module"].search([("name", "=", "debtor_dunning")])
module.button_immediate_uninstall()
env.cr.commit()
names = ("debtor_dunning", "debtor_dunning_sale")
states = set(env["ir.module.module"].search([("name", "in", names)]).mapped("state"))
leftover = env.cr.execute("SELECT count(*) FROM ir_model WHERE model LIKE 'debtor.dunning.%%'") or env.cr.fetchone()[0]
assert states == {"uninstalled"} and not leftover, (states, leftover)
print("UNINSTALL-OK")
PY
    grep -q UNINSTALL-OK "$log" || { tail -n 40 "$log" >&2; die "uninstall failed; see $log"; }
    drop_db "$db"
    touch "$stamp"
    say "install, update and uninstall: OK"
}
