#!/usr/bin/env bash
# Load benchmark: 10,000 cases, 20 concurrent coordinators, worklist and case pages,
# served by gunicorn on loopback. Usage: bench/run.sh sqlite|postgres [requests]
# Prints the load generator's JSON summary; copy the figures into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:?sqlite or postgres}
requests=${2:-3000}
port=8100
work=$(mktemp -d /tmp/consilium-bench.XXXX)
export CONSILIUM_VAR_DIR="$work/var"
unset DATABASE_URL
if [ "$backend" = postgres ]; then
  db="consilium_bench_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ "$backend" = postgres ] && psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
trap cleanup EXIT

out=$(uv run python bench/seed_bulk.py --cases 10000 --users 20)
echo "$out" >&2
password=${out##*password: }
range=$(uv run python - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consilium.settings")
django.setup()
from consilium.apps.cases.models import Case
ids = Case.objects.filter(program__name="Bench Program").values_list("pk", flat=True)
print(min(ids), max(ids))
PY
)
read -r first last <<<"$range"

uv run gunicorn consilium.wsgi:application -b 127.0.0.1:$port --workers 3 --threads 4 \
  --worker-class gthread --log-level warning &
server=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/login/" && break; sleep 0.2; done

# Warm-up (connections, template caches), then the measured run.
uv run python bench/load.py --base "http://127.0.0.1:$port" --users 20 --requests 200 \
  --password "$password" --cases-from "$first" --cases-to "$last" >/dev/null
uv run python bench/load.py --base "http://127.0.0.1:$port" --users 20 --requests "$requests" \
  --password "$password" --cases-from "$first" --cases-to "$last"
