"""Serving the app with a production WSGI server (gunicorn; waitress on Windows)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask

from graphsvc.config import Settings

__all__ = ["serve_app"]


def serve_app(app_factory: Callable[[], Flask], host: str, port: int, workers: int = 2,
              threads: int = 4, *, preload: Settings | None = None) -> None:
    """Run ``app_factory()`` under a production server until interrupted.

    With ``preload``, the master process builds the snapshot of that store once, after binding
    the port and before forking the workers, and every worker's app starts from it: the workers
    share its memory (see :mod:`graphsvc.web.preload`). Each worker calls ``app_factory`` itself,
    after the fork, so no store connection is made before it.
    """
    if sys.platform == "win32":  # pragma: no cover - gunicorn has no Windows support
        from waitress import serve

        serve(app_factory(), host=host, port=port, threads=workers * threads)
        return
    import gunicorn.http.wsgi
    from gunicorn.app.base import BaseApplication

    from graphsvc.web.preload import seed_app, shared_snapshot

    # gunicorn names itself in every answer's Server header; say only what serves the app
    gunicorn.http.wsgi.SERVER = "goudkaart"
    shared: list[Any] = []  # the master's snapshot, inherited by every worker it forks

    def when_ready(arbiter: Any) -> None:
        if preload is None:
            return
        # no worker exists yet: Ctrl+C or a stop during the build (a minute for a national
        # graph) ends the master at once instead of waiting in gunicorn's signal queue
        stops = (signal.SIGINT, signal.SIGTERM)
        handlers = {sig: signal.signal(sig, signal.SIG_DFL) for sig in stops}
        try:
            snap = shared_snapshot(preload)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        if snap is not None:
            shared.append(snap)

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
            self.cfg.set("when_ready", when_ready)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn ≥ 24 would run a control socket in a thread of the master (every
                # worker restarted later forks beside it) at one path per user, shared by every
                # server of that user; the app does not use it
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            app = app_factory()
            if shared:
                seed_app(app, shared[0])
            return app

    _Server().run()
