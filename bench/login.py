"""Sign in N bench coordinators on a running server and print their session ids."""

from __future__ import annotations

import re
import sys

import httpx

base, prefix, password, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if httpx.URL(base).host not in ("127.0.0.1", "localhost"):
    raise SystemExit("bench only targets loopback")
ids = []
for i in range(count):
    with httpx.Client(base_url=base) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = client.post(
            "/login/",
            data={
                "username": f"{prefix}{i + 1:02d}",
                "password": password,
                "csrfmiddlewaretoken": token,
            },
        )
        if r.status_code != 302:
            raise SystemExit(f"login {i + 1} failed: {r.status_code}")
        ids.append(client.cookies["sessionid"])
print(" ".join(ids))
