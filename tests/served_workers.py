"""A real ``graphsvc serve`` and its gunicorn workers seen from outside: which worker answered a
request, and how much memory each process holds (``/proc``). Used by tests/web/test_preload.py
and ``benchmarks/bench_workers.py``; Linux only."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.neo4j_server import free_port

__all__ = ["Served", "serving", "Answer", "memory", "MEMORY_KEYS"]

ROOT = Path(__file__).resolve().parents[1]
MEMORY_KEYS = ("Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty")


@dataclass
class Answer:
    status: int
    body: bytes
    pid: int  # the worker that answered

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    """A running server: its base URL, master process and the connections pinned to workers."""

    port: int
    master: int
    log: Path
    timeout: float = 60.0  # seconds a request may take (a worker's first builds its snapshot)
    _pinned: dict[int, http.client.HTTPConnection] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The master's worker processes (its children)."""
        found: set[int] = set()
        for task in Path(f"/proc/{self.master}/task").iterdir():
            text = (task / "children").read_text().split()
            found.update(int(pid) for pid in text)
        return sorted(found)

    def open_files(self, pid: int | None = None) -> list[str]:
        """What the process (default: the master) holds open: paths, ``socket:[…]``, ``pipe:[…]``."""
        folder = Path(f"/proc/{pid or self.master}/fd")
        found = []
        for fd in folder.iterdir():
            try:
                found.append(os.readlink(fd))
            except FileNotFoundError:
                continue
        return found

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None, *, conn: http.client.HTTPConnection | None = None) -> Answer:
        """One request on ``conn`` (else a new connection, closed after); who answered it."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return Answer(response.status, data, self.worker_of(conn))
        finally:
            if own:
                conn.close()

    def ask(self, pid: int, method: str, path: str, headers: dict[str, str] | None = None,
            body: bytes | None = None) -> Answer:
        """One request answered by worker ``pid``, on a keep-alive connection to it (a new one
        when the worker closed the last after its idle timeout, before reading a request)."""
        for _ in range(3):
            conn = self.pinned(pid)
            try:
                return self.request(method, path, headers, body, conn=conn)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                del self._pinned[pid]
        raise AssertionError(f"worker {pid} keeps closing its connections")

    def worker_of(self, conn: http.client.HTTPConnection) -> int:
        """The worker holding the server end of this (open) connection; 0 when none does."""
        assert conn.sock is not None
        mine = conn.sock.getsockname()[1]
        inode = _server_socket_inode(self.port, mine)
        target = f"socket:[{inode}]"
        for pid in self.workers():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except FileNotFoundError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
                except FileNotFoundError:
                    continue
        return 0

    def pinned(self, pid: int, *, tries: int = 200) -> http.client.HTTPConnection:
        """A keep-alive connection answered by worker ``pid`` (new connections until one is)."""
        conn = self._pinned.get(pid)
        if conn is not None:
            return conn
        for _ in range(tries):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            if self.request("GET", "/healthz", conn=conn).pid == pid:
                self._pinned[pid] = conn
                return conn
            conn.close()
        raise AssertionError(f"no connection reached worker {pid} in {tries} tries")

    def close_pinned(self) -> None:
        for conn in self._pinned.values():
            conn.close()
        self._pinned.clear()


def _server_socket_inode(port: int, client_port: int) -> int:
    """The inode of the accepted socket 127.0.0.1:port <- 127.0.0.1:client_port (/proc/net/tcp)."""
    local, remote = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[1] == local and parts[2] == remote:
            return int(parts[9])
    raise AssertionError(f"no accepted socket for 127.0.0.1:{client_port} -> {port}")


def memory(pid: int) -> dict[str, int]:
    """The process's memory from ``/proc/<pid>/smaps_rollup``, in kB (RSS, PSS, shared, private)."""
    found = dict.fromkeys(MEMORY_KEYS, 0)
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in found:
            found[key] = int(rest.split()[0])
    return found


@contextmanager
def serving(env: dict[str, str], folder: Path, workers: int = 2, *, preload: bool | None = None,
            start_timeout: float = 120.0) -> Iterator[Served]:
    """``graphsvc serve`` on a free 127.0.0.1 port until the block ends; waits for /healthz."""
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if preload is not None:
        args.append("--preload" if preload else "--no-preload")
    exe = shutil.which("graphsvc", path=str(Path(sys.executable).parent))
    command = [exe, *args] if exe else [sys.executable, "-m", "graphsvc.cli", *args]
    log_path = folder / f"serve-{port}.log"
    with open(log_path, "wb") as log:
        child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(port, child.pid, log_path, timeout=max(60.0, start_timeout))
    try:
        _wait_until_up(served, child, start_timeout)
        yield served
    finally:
        served.close_pinned()
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)  # its own process group: gunicorn and its workers
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait(5)


def _wait_until_up(served: Served, child: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if child.poll() is not None:
            raise AssertionError(f"graphsvc serve exited ({child.returncode}): "
                                 + served.log.read_text(errors="replace")[-2000:])
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return  # answered (200, or 503 when the store is down)
        except OSError:  # not listening yet, or workers not forked yet (the master builds)
            pass
        finally:
            conn.close()
        if time.monotonic() > deadline:
            raise AssertionError(f"graphsvc serve did not answer within {timeout} s")
        time.sleep(0.1)
