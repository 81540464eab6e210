"""Load with think time, on loopback: N concurrent users, each with its own session, open
the coordinator worklist and case pages and pause between pages as a person does
(--think-ms, uniformly 0.5x to 1.5x); prints p50/p95/p99 latency and errors per page.
(bench/pages.lua drives wrk for the saturation runs with no think time.)

    uv run python bench/load.py --base http://127.0.0.1:8100 --users 20 --think-ms 1000 \
        --requests 1200 --password PW --cases-from 1 --cases-to 10000

Every loop is bounded by --requests and --max-seconds; it only talks to the --base host,
which must be a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import time
from urllib.parse import urlparse

import httpx

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def login(client: httpx.AsyncClient, username: str, password: str) -> None:
    page = await client.get("/login/")
    token = CSRF.search(page.text).group(1)
    r = await client.post(
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": str(client.base_url) + "/login/"},
    )
    if r.status_code != 302:
        raise SystemExit(f"login failed for {username}: {r.status_code}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def user_loop(i, args, results, deadline, counter):
    rng = random.Random(i)
    async with httpx.AsyncClient(base_url=args.base, timeout=30) as client:
        await login(client, f"{args.user_prefix}{i + 1:02d}", args.password)
        while time.monotonic() < deadline:
            if counter[0] >= args.requests:
                return
            counter[0] += 1
            if rng.random() < 0.5:
                kind = "worklist"
                page = rng.randint(1, args.worklist_pages)
                path = f"/cases/?page={page}" if page > 1 else "/cases/"
            else:
                kind = "case"
                path = f"/cases/{rng.randint(args.cases_from, args.cases_to)}/"
            start = time.perf_counter()
            try:
                r = await client.get(path)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            results.append((kind, (time.perf_counter() - start) * 1000, ok))
            if args.think_ms:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think_ms / 1000)


async def main_async(args) -> dict:
    host = urlparse(args.base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load generator only targets loopback")
    results: list[tuple[str, float, bool]] = []
    counter = [0]
    deadline = time.monotonic() + args.max_seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(user_loop(i, args, results, deadline, counter) for i in range(args.users))
    )
    elapsed = time.perf_counter() - started
    summary = {
        "users": args.users,
        "think_ms": args.think_ms,
        "requests": len(results),
        "seconds": round(elapsed, 1),
        "throughput_rps": round(len(results) / elapsed, 1),
    }
    for kind in ("worklist", "case"):
        lat = [ms for k, ms, _ in results if k == kind]
        errors = sum(1 for k, _, ok in results if k == kind and not ok)
        if lat:
            summary[kind] = {
                "n": len(lat),
                "errors": errors,
                "p50_ms": round(statistics.median(lat), 1),
                "p95_ms": round(percentile(lat, 95), 1),
                "p99_ms": round(percentile(lat, 99), 1),
            }
    return summary


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8100")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--max-seconds", type=float, default=300)
    p.add_argument("--password", required=True)
    p.add_argument("--user-prefix", default="bench-coord-")
    p.add_argument("--cases-from", type=int, required=True)
    p.add_argument("--cases-to", type=int, required=True)
    p.add_argument("--worklist-pages", type=int, default=20)
    p.add_argument("--think-ms", type=float, default=0)
    args = p.parse_args()
    summary = asyncio.run(main_async(args))
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
