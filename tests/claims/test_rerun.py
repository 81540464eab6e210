"""A rerun into the same output, or the same delivery delivered twice, gives the same
result; a scan's outputs are replaced whole, never half-written."""

import hashlib
import shutil

import duckdb

from consilium.engines.claims.scan import scan
from tests.claims.deliveries import AS_OF, line, span, write


def _rows(out):
    con = duckdb.connect()
    return con.execute(
        f"SELECT * FROM read_parquet('{out / 'members.parquet'}') ORDER BY ALL"
    ).fetchall()


def test_rerun_and_duplicate_delivery(tmp_path):
    medical = [
        line("P", 10, "C509"),
        line("P", 20, "C509", "C787"),
        line("Q", 5, "C61"),
        line("Q", 6, "C61"),
        line("", 5, "C61"),
    ]
    d = write(tmp_path / "d", medical, [span("P"), span("Q")])
    out = tmp_path / "out"
    first = scan(d, out, as_of=AS_OF)
    rows = _rows(out)
    files = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in out.glob("*.parquet")}
    again = scan(d, out, as_of=AS_OF)
    assert _rows(out) == rows
    assert {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in out.glob("*.parquet")
    } == files
    copy = shutil.copytree(d, tmp_path / "copy")
    dup = scan(copy, tmp_path / "out2", as_of=AS_OF)
    assert dup["delivery_sha256"] == first["delivery_sha256"] == again["delivery_sha256"]
    assert _rows(tmp_path / "out2") == rows
    assert not list(out.glob(".*partial")) and not (out / ".tmp").exists()
    assert len(rows) == 2
