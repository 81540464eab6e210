"""Serve the demo with gunicorn, started from Python rather than its command line."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

WORKERS = 2
THREADS = 4


class DemoServer(BaseApplication):
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.options = {
            "bind": f"{host}:{port}",
            "workers": WORKERS,
            "worker_class": "gthread",
            "threads": THREADS,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
            # Workers load the app themselves: no database connection crosses a fork.
            "preload_app": False,
            "graceful_timeout": 5,
            "proc_name": "consilium-demo",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from consilium.wsgi import application

        return application


def serve(port: int, host: str = "127.0.0.1") -> None:
    """Run until Ctrl-C (SIGINT) or SIGTERM; gunicorn stops its workers and returns."""
    from django.db import connections

    connections.close_all()
    DemoServer(port, host).run()
