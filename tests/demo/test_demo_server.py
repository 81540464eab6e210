"""The demo server's gunicorn configuration (not started: tests never spawn servers)."""

from consilium.apps.demo.server import DemoServer


def test_the_server_binds_loopback_with_threaded_workers():
    server = DemoServer(8765)
    assert server.cfg.bind == ["127.0.0.1:8765"]
    assert server.cfg.workers == 2
    assert server.cfg.threads == 4
    assert server.cfg.worker_class_str == "gthread"
    assert server.cfg.preload_app is False
