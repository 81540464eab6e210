#!/usr/bin/env bash
# Load benchmark (run by hand; needs Debian's wrk): 10,000 cases in the database, 20
# concurrent signed-in coordinators (one wrk connection each, no think time) opening the
# worklist and case pages, served by gunicorn on loopback.
#
#   bench/run.sh sqlite|postgres [seconds per run]
#
# Prints one JSON line per run: saturation with wrk (worklist only, case page only, mixed;
# no think time, so latency is mostly queueing) and 20 users with about a second of think
# time (bench/load.py); p50/p95/p99 latency and errors. bench/RESULTS.md keeps the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:?sqlite or postgres}
seconds=${2:-30}
port=${BENCH_PORT:-8100}
workers=${BENCH_WORKERS:-4}
threads=${BENCH_THREADS:-1}
work=$(mktemp -d /tmp/consilium-bench.XXXX)
export CONSILIUM_VAR_DIR="$work/var"
unset DATABASE_URL
if [ "$backend" = postgres ]; then
  db="consilium_bench_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
  if [ "$backend" = postgres ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

out=$(uv run python bench/seed_bulk.py --cases 10000 --users 20)
echo "$out" >&2
password=${out##*password: }
read -r first last < <(uv run python - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consilium.settings")
django.setup()
from consilium.apps.cases.models import Case
ids = Case.objects.filter(program__name="Bench Program").values_list("pk", flat=True)
print(min(ids), max(ids))
PY
)

uv run gunicorn consilium.wsgi:application -b "127.0.0.1:$port" --workers "$workers" \
  --threads "$threads" --worker-class gthread --log-level warning &
server=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/login/" && break; sleep 0.2; done

export BENCH_COOKIES BENCH_FIRST="$first" BENCH_LAST="$last"
BENCH_COOKIES=$(uv run python bench/login.py "http://127.0.0.1:$port" bench-coord- "$password" 20)
echo "backend=$backend workers=$workers threads=$threads cases=$first..$last" >&2

BENCH_MODE=mixed wrk -t20 -c20 -d5s -s bench/pages.lua "http://127.0.0.1:$port" >/dev/null  # warm-up
for mode in ${BENCH_MODES:-worklist case mixed}; do
  BENCH_MODE=$mode wrk -t20 -c20 -d"${seconds}s" --timeout 10s -s bench/pages.lua \
    "http://127.0.0.1:$port" | tail -n 1
done
# 20 users who pause about a second between pages, as people do.
uv run python bench/load.py --base "http://127.0.0.1:$port" --users 20 --think-ms 1000 \
  --requests "${BENCH_THINK_REQUESTS:-1200}" --max-seconds 120 --password "$password" \
  --cases-from "$first" --cases-to "$last" | tr -d '\n ' ; echo
# Sessions must still be valid (a redirect to the login page would count as a success).
first_cookie=${BENCH_COOKIES%% *}
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sessionid=$first_cookie" "http://127.0.0.1:$port/cases/")
echo "session check after the runs: HTTP $code" >&2
