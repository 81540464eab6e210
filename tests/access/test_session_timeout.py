"""Signed-in sessions end after the configured inactivity, and activity extends them."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from tests import factories as f


def _session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_activity_pushes_the_expiry_forward(client, db, settings, monkeypatch):
    coordinator = f.user("coordinator", f.program())
    client.force_login(coordinator)
    client.get("/cases/")
    first = _session(client).expire_date
    # A minute later the next page view renews the session.
    import consilium.apps.web.middleware as mw

    real = mw.time.time
    monkeypatch.setattr(mw.time, "time", lambda: real() + 61)
    client.get("/cases/")
    assert _session(client).expire_date > first
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    slack = timedelta(minutes=1)  # the clock moved on while the request ran
    assert expected - slack <= _session(client).expire_date <= expected + slack


def test_an_expired_session_is_signed_out(client, db):
    coordinator = f.user("coordinator", f.program())
    client.force_login(coordinator)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
