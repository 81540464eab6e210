"""Settings that protect patient data: hashing, session timeout, no secret in code."""

import importlib

from django.conf import settings

import consilium.settings as project_settings


def test_passwords_hash_with_argon2():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_session_age_is_the_inactivity_timeout():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_TIMEOUT_MINUTES * 60
    assert "consilium.apps.web.middleware.SessionActivityMiddleware" in settings.MIDDLEWARE


def test_session_timeout_and_upload_limit_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSILIUM_SESSION_TIMEOUT_MINUTES", "7")
    monkeypatch.setenv("CONSILIUM_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("CONSILIUM_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.SESSION_COOKIE_AGE == 7 * 60
        assert reloaded.MAX_UPLOAD_BYTES == 3_000_000
        # With no SECRET_KEY, one is generated once and kept beside the database.
        key_file = tmp_path / "secret_key"
        assert key_file.read_text() == reloaded.SECRET_KEY
        assert key_file.stat().st_mode & 0o077 == 0
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_no_page_loads_a_script_or_style_from_elsewhere(client, db):
    html = client.get("/login/").content.decode()
    assert "//cdn" not in html and "https://" not in html
    assert "/static/vendor/htmx/" in html
