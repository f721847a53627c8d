"""Serving the app with a production WSGI server (gunicorn; waitress on Windows)."""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask

__all__ = ["serve_app"]


def serve_app(app_factory: Any, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    """Run ``app_factory()`` under a production server until interrupted."""
    if sys.platform == "win32":  # pragma: no cover - gunicorn has no Windows support
        from waitress import serve

        serve(app_factory(), host=host, port=port, threads=workers * threads)
        return
    import gunicorn.http.wsgi
    from gunicorn.app.base import BaseApplication

    # gunicorn names itself in every answer's Server header; say only what serves the app
    gunicorn.http.wsgi.SERVER = "goudkaart"

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")
            self.cfg.set("timeout", 120)

        def load(self) -> Flask:
            return app_factory()

    _Server().run()
