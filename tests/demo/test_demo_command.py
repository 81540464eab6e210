"""``consilium demo --no-serve`` end to end: migrate, seed once, print the sign-ins."""

import io
import json
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from consilium.apps.cases.models import Case

ROLES = ("Member", "Physician", "Coordinator", "Expert", "Admin")


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", "--no-serve", "--cases", "12", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_demo_prepares_seeds_and_prints_a_login_per_role(db, var_dir):
    out, err = run()
    assert "Seeded Great Lakes Health Plan" in out
    assert "[##############################] 100%" in err
    for role in ROLES:
        assert f"\n  {role} " in out
    logins = json.loads((var_dir / "demo-logins.json").read_text())["logins"]
    assert [e["role"] for e in logins] == ["member", "physician", "coordinator", "expert", "admin"]
    for entry in logins:
        assert f"password: {entry['password']}" in out
        assert authenticate(username=entry["username"], password=entry["password"])
    assert stat.S_IMODE((var_dir / "demo-logins.json").stat().st_mode) == 0o600
    assert "Serving" not in out


def test_a_second_run_creates_nothing_and_prints_the_same_logins(db, var_dir):
    first, _ = run()
    cases = Case.objects.count()
    second, err = run()
    assert "Already seeded" in second and "Seeded" not in second
    assert Case.objects.count() == cases
    assert err == ""  # no progress bar: nothing to seed
    start = first.index("Sign in at")
    assert second[second.index("Sign in at") :] == first[start:]


def test_lost_passwords_are_replaced_by_working_ones(db, var_dir):
    first, _ = run()
    (var_dir / "demo-logins.json").unlink()
    second, _ = run()
    logins = json.loads((var_dir / "demo-logins.json").read_text())["logins"]
    for entry in logins:
        assert f"password: {entry['password']}" in second
        assert f"password: {entry['password']}" not in first
        assert authenticate(username=entry["username"], password=entry["password"])


def test_a_bad_port_is_refused(db, var_dir):
    with pytest.raises(CommandError, match="--port"):
        call_command("demo", "--no-serve", "--port", "0", stdout=io.StringIO())
