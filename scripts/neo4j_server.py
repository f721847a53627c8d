#!/usr/bin/env python3
"""Build, start and stop a local Neo4j Community 5.26 server for tests and CI.

No Docker and no Neo4j tarball: Maven Central does not carry the server
distribution, so ``neo4j-server/`` holds a tiny Java launcher that runs the
Neo4j Community DBMS (``org.neo4j:neo4j``, embedded API) with its Bolt
connector.  See ``neo4j-server/README.md``.

Command line::

    python scripts/neo4j_server.py build [--force]
    python scripts/neo4j_server.py start --dir DIR [--port 7687] [--heap 512m]
                                         [--pagecache 128m] [--timeout 120]
                                         [--conf KEY=VALUE ...]
        # password: --password PW, --password-file F, or $NEO4J_PASSWORD
    python scripts/neo4j_server.py stop --dir DIR [--kill] [--timeout 60]
    python scripts/neo4j_server.py status --dir DIR    # exit 0 running, 3 stopped
    python scripts/neo4j_server.py import --dir DIR --files FILES [--overwrite] [--heap 1g]
        # Neo4j's offline importer into DIR's database neo4j (server stopped); FILES from
        # `graphsvc export --format neo4j-import --out FILES`

As a module (e.g. from a pytest fixture, loaded by file path)::

    build() -> Path
    start(dir, port=7687, password=..., heap="512m", pagecache="128m",
          timeout=120.0, extra_config=None) -> "bolt://127.0.0.1:PORT"
    stop(dir, timeout=60.0, kill=False) -> bool   # True if a server was stopped
    status(dir) -> dict | None
    import_files(dir, files, heap="1g", overwrite=False) -> dict   # seconds, cpu_s, log

The server listens on 127.0.0.1 only, with authentication on (user
``neo4j``).  The password is set on the first start of a DIR and kept in
DIR's system database afterwards; it reaches the Java process through its
stdin, never a command line, environment or log.  Files in DIR:
``neo4j.conf``, ``neo4j.pid``, ``server.json``, ``neo4j.log`` (launcher and
user log), and Neo4j's own ``data/`` and ``logs/`` (``logs/debug.log``).

Environment: ``GRAPHSVC_NEO4J_JAVA`` (java binary, default ``java`` on PATH),
``GRAPHSVC_NEO4J_MVN`` (mvn binary, default ``mvn``), ``GRAPHSVC_NEO4J_CDS=1``
(opt-in: ``build`` also makes an AppCDS archive, ~25 s once, after which each
start is ~1.3 s faster; worth it on a developer machine, not on a fresh CI clone),
``GRAPHSVC_NEO4J_JVM_OPTIONS`` (extra JVM options, split on spaces, e.g.
``-XX:TieredStopAtLevel=1``: C1 only, a third less server CPU for a one-off load into a fresh
server, where the C2 compiler's warm-up costs as much CPU as the writes; slower code afterwards).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["Neo4jServerError", "build", "start", "stop", "status", "import_files", "NEO4J_USER"]

NEO4J_USER = "neo4j"
MIN_PASSWORD_LENGTH = 8  # Neo4j's default dbms.security.auth_minimum_password_length

REPO_ROOT = Path(__file__).resolve().parent.parent
LAUNCHER_DIR = REPO_ROOT / "neo4j-server"
TARGET_DIR = LAUNCHER_DIR / "target"
JAR_NAME = "goudkaart-neo4j-launcher.jar"
JAR = TARGET_DIR / JAR_NAME
STAMP = TARGET_DIR / ".goudkaart-build-stamp"
CDS_ARCHIVE = TARGET_DIR / "goudkaart-neo4j-launcher.jsa"  # opt-in AppCDS archive
CDS_STAMP = TARGET_DIR / ".goudkaart-cds-stamp"
BUILD_LOCK = LAUNCHER_DIR / ".build.lock"
READY_MARKER = "GOUDKAART-NEO4J-READY"  # printed by goudkaart.neo4j.Launcher

PID_FILE = "neo4j.pid"
STATE_FILE = "server.json"
CONF_FILE = "neo4j.conf"
LOG_FILE = "neo4j.log"

# The main server.jvm.additional defaults of the Neo4j 5 distribution.
JVM_OPTIONS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]

_SIZE_RE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")
# Servers started by this process, so that they can be reaped (no zombies under pytest).
_CHILDREN: dict[str, subprocess.Popen] = {}


class Neo4jServerError(RuntimeError):
    """Raised when the server cannot be built, started or stopped."""


def _log(msg: str) -> None:
    print(f"[neo4j_server] {msg}", file=sys.stderr, flush=True)


def _cds_enabled() -> bool:
    return os.environ.get("GRAPHSVC_NEO4J_CDS", "0") == "1"


# --------------------------------------------------------------------------- build


def _source_digest() -> str:
    h = hashlib.sha256()
    for f in [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]:
        h.update(str(f.relative_to(LAUNCHER_DIR)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _read_stamp(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@contextlib.contextmanager
def _build_lock():
    """Serialises builds between processes (e.g. pytest-xdist workers)."""
    with open(BUILD_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def build(force: bool = False) -> Path:
    """Build the launcher (``mvn package``) unless up to date, and the CDS archive if enabled.

    Returns the jar path.
    """
    with _build_lock():
        digest = _source_digest()
        if force or not (
            JAR.is_file() and (TARGET_DIR / "lib").is_dir() and _read_stamp(STAMP) == digest
        ):
            _mvn_package(digest)
        else:
            _log(f"launcher up to date: {JAR}")
        if _cds_enabled():
            _ensure_cds(digest, force)
    return JAR


def _mvn_package(digest: str) -> None:
    mvn = shutil.which(os.environ.get("GRAPHSVC_NEO4J_MVN") or "mvn")
    if mvn is None:
        raise Neo4jServerError("Maven (mvn) not found; install maven or set GRAPHSVC_NEO4J_MVN")
    _log("building the Neo4j launcher with Maven (the first build downloads ~125 MB of jars) ...")
    t0 = time.monotonic()
    STAMP.unlink(missing_ok=True)
    CDS_ARCHIVE.unlink(missing_ok=True)
    cmd = [
        mvn,
        "-B",
        "-q",
        "--no-transfer-progress",
        "-f",
        str(LAUNCHER_DIR / "pom.xml"),
        "clean",
        "package",
    ]
    # the with-block closes the pipe: a pipe left open is a ResourceWarning, and the tests turn
    # warnings into errors (the first test run after a fresh clone builds from inside pytest)
    with subprocess.Popen(
        cmd,
        cwd=LAUNCHER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:  # -q: only warnings and errors; drop the colour codes
            line = re.sub(r"\x1b\[[0-9;]*m", "", line).rstrip()
            if line:
                print(f"  mvn: {line}", file=sys.stderr, flush=True)
    if proc.returncode != 0 or not JAR.is_file():
        raise Neo4jServerError(f"Maven build failed (exit {proc.returncode}): {' '.join(cmd)}")
    STAMP.write_text(digest + "\n")
    _log(f"built {JAR} in {time.monotonic() - t0:.1f}s")


_JAVA_INFO: tuple[str, str] | None = None


def _java_info() -> tuple[str, str]:
    """(path of java, its `java -version` text); warns if the version is not 17 or 21."""
    global _JAVA_INFO
    if _JAVA_INFO is None:
        java = shutil.which(os.environ.get("GRAPHSVC_NEO4J_JAVA") or "java")
        if java is None:
            raise Neo4jServerError(
                "java not found; install a JDK 17 or 21 or set GRAPHSVC_NEO4J_JAVA"
            )
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.strip()
        m = re.search(r'version "(\d+)', out)
        if m and int(m.group(1)) not in (17, 21):
            _log(
                f"warning: Neo4j 5.26 runs on Java 17 and 21, found {out.splitlines()[0]} ({java})"
            )
        _JAVA_INFO = (java, out)
    return _JAVA_INFO


def _cds_key(digest: str | None) -> str:
    java, version = _java_info()
    return hashlib.sha256(f"{os.path.realpath(java)}\n{version}\n{digest}".encode()).hexdigest()


def _cds_options() -> list[str]:
    """JVM options to use the CDS archive, if there is one for this java and this launcher build."""
    if not _cds_enabled() or not CDS_ARCHIVE.is_file():
        return []
    if _read_stamp(CDS_STAMP) != _cds_key(_read_stamp(STAMP)):
        return []
    return [f"-XX:SharedArchiveFile={CDS_ARCHIVE}"]


def _ensure_cds(digest: str, force: bool) -> None:
    """Make an AppCDS archive from one training start/stop (Java 17: -XX:ArchiveClassesAtExit).

    An optimisation only: on any failure the server starts without it.
    """
    key = _cds_key(digest)
    if not force and CDS_ARCHIVE.is_file() and _read_stamp(CDS_STAMP) == key:
        return
    _log("creating the class-data-sharing archive (one training run of Neo4j) ...")
    t0 = time.monotonic()
    CDS_STAMP.unlink(missing_ok=True)
    CDS_ARCHIVE.unlink(missing_ok=True)
    tmp_archive = TARGET_DIR / f"cds-{os.getpid()}.jsa.tmp"
    work = Path(tempfile.mkdtemp(prefix="goudkaart-neo4j-cds-"))
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        password = os.urandom(12).hex()
        url = _launch(
            work,
            port,
            password,
            heap="512m",
            pagecache="64m",
            timeout=180.0,
            extra_config=None,
            jvm_extra=[f"-XX:ArchiveClassesAtExit={tmp_archive}", "-Xlog:cds=off,cds+dynamic=off"],
        )
        _exercise(url, password)
        stop(work, timeout=120.0)  # the JVM writes the archive as it exits
        if not tmp_archive.is_file():
            raise Neo4jServerError("the JVM wrote no archive")
        tmp_archive.replace(CDS_ARCHIVE)
        CDS_STAMP.write_text(key + "\n")
        _log(f"created {CDS_ARCHIVE} in {time.monotonic() - t0:.1f}s")
    except Exception as e:  # CDS is an optimisation only
        _log(f"warning: no CDS archive, Neo4j will start ~1 s slower ({e})")
        stop(work, timeout=30.0, kill=True)
    finally:
        tmp_archive.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _exercise(url: str, password: str) -> None:
    """Runs a few typical queries so that their classes land in the CDS archive."""
    drv = _try_driver()
    if drv is None:
        return
    GraphDatabase, _ = drv
    with GraphDatabase.driver(url, auth=(NEO4J_USER, password)) as driver:
        for q in (
            "CREATE CONSTRAINT t_id IF NOT EXISTS FOR (n:T) REQUIRE n.id IS UNIQUE",
            "UNWIND range(1, 100) AS i MERGE (n:T {id: i}) SET n.v = toString(i)",
            "MATCH (a:T), (b:T {id: a.id + 1}) MERGE (a)-[:NEXT]->(b)",
            "MATCH p = (:T {id: 1})-[:NEXT*1..5]->(m) RETURN count(p) AS c, collect(m.v) AS vs",
            "MATCH (n:T) DETACH DELETE n",
        ):
            driver.execute_query(q, database_="neo4j")


# --------------------------------------------------------------------------- process helpers


def _read_pid(d: Path) -> int | None:
    try:
        return int((d / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _is_our_server(pid: int, d: Path) -> bool:
    """True if pid is alive (not a zombie) and is our launcher for directory d."""
    child = _CHILDREN.get(str(d))
    if child is not None and child.pid == pid and child.poll() is not None:
        return False  # exited (and now reaped)
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        if state == b"Z":
            return False
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    return any(a.endswith(JAR_NAME.encode()) for a in args) and str(d).encode() in args


def _running_pid(d: Path) -> int | None:
    pid = _read_pid(d)
    return pid if pid is not None and _is_our_server(pid, d) else None


def _wait_exit(pid: int, d: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_our_server(pid, d):
            return True
        time.sleep(0.1)
    return not _is_our_server(pid, d)


def _log_tail(d: Path, lines: int = 25) -> str:
    out = []
    for name in (LOG_FILE, "logs/debug.log"):
        p = d / name
        try:
            tail = p.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            continue
        out.append(f"--- last lines of {p} ---")
        out.extend(tail)
    return "\n".join(out)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


# --------------------------------------------------------------------------- config


def _config_text(port: int, pagecache: str, extra: dict[str, str] | None) -> str:
    settings = {
        # Network: Bolt only, loopback only, no TLS (the embedded DBMS runs no HTTP server).
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        # Authentication on (user neo4j; the launcher sets the password on the first start).
        "dbms.security.auth_enabled": "true",
        # Memory: the heap is set with -Xms/-Xmx on the java command line.
        "server.memory.pagecache.size": pagecache,
        # Small disk footprint for test and CI machines.
        "db.tx_log.preallocate": "false",
        "db.tx_log.rotation.size": "16m",
        "db.tx_log.rotation.retention_policy": "2 files",
        "dbms.usage_report.enabled": "false",
        # Bolt shutdown otherwise waits a 5 s Netty quiet period (integer seconds).
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "internal.dbms.bolt.netty_server_shutdown_timeout": "5s",
    }
    settings.update(extra or {})
    lines = ["# Written by scripts/neo4j_server.py at each start; edits are overwritten."]
    lines += [f"{k}={v}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- readiness


def _try_driver():
    try:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError
    except ImportError:
        return None
    return GraphDatabase, AuthError


def _check_bolt(url: str, port: int, password: str) -> None:
    """One readiness probe. Raises PermissionError on bad credentials, other errors if not ready."""
    drv = _try_driver()
    if drv is None:  # no driver installed: a TCP connect is the best we can do
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return
    GraphDatabase, AuthError = drv
    try:
        with GraphDatabase.driver(url, auth=(NEO4J_USER, password), connection_timeout=5) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS ok", database_="neo4j")
            if not records or records[0]["ok"] != 1:
                raise RuntimeError("unexpected answer to RETURN 1")
    except AuthError as e:
        raise PermissionError(str(e)) from None


# --------------------------------------------------------------------------- start / stop / status


def status(dir: str | os.PathLike) -> dict | None:
    """State of the server for DIR: dict with pid, port, url, ... if running, else None."""
    d = Path(dir).resolve()
    pid = _running_pid(d)
    if pid is None:
        return None
    try:
        state = json.loads((d / STATE_FILE).read_text())
    except (OSError, ValueError):
        state = {}
    state["pid"] = pid
    return state


def start(
    dir: str | os.PathLike,
    port: int = 7687,
    password: str | None = None,
    heap: str = "512m",
    pagecache: str = "128m",
    timeout: float = 120.0,
    extra_config: dict[str, str] | None = None,
) -> str:
    """Start Neo4j with its data under DIR; return the Bolt URL once an authenticated query works.

    Builds the launcher first if needed. If a server for DIR already runs on the same port,
    it is checked and its URL returned. ``password`` defaults to $NEO4J_PASSWORD.
    """
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise Neo4jServerError(
            "a password is required (argument, --password-file or $NEO4J_PASSWORD)"
        )
    if len(password) < MIN_PASSWORD_LENGTH or "\n" in password or "\r" in password:
        raise Neo4jServerError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters, on one line"
        )
    for name, value in (("heap", heap), ("pagecache", pagecache)):
        if not _SIZE_RE.match(str(value)):
            raise Neo4jServerError(f"bad {name} size {value!r} (use e.g. 512m or 1g)")
    port = int(port)
    if not 0 < port < 65536:
        raise Neo4jServerError(f"bad port {port}")
    d = Path(dir).resolve()
    d.mkdir(parents=True, exist_ok=True)
    url = f"bolt://127.0.0.1:{port}"

    running = status(d)
    if running is not None:
        if running.get("port") != port:
            raise Neo4jServerError(
                f"a Neo4j server for {d} already runs (pid {running['pid']}, port {running.get('port')})"
            )
        try:
            _check_bolt(url, port, password)
        except PermissionError as e:
            raise Neo4jServerError(
                f"the server for {d} runs but refuses the password: {e}"
            ) from None
        _log(f"already running (pid {running['pid']}) at {url}")
        return url

    build()
    extra_jvm = os.environ.get("GRAPHSVC_NEO4J_JVM_OPTIONS", "").split()
    return _launch(d, port, password, heap, pagecache, timeout, extra_config, _cds_options() + extra_jvm)


def _launch(
    d: Path,
    port: int,
    password: str,
    heap: str,
    pagecache: str,
    timeout: float,
    extra_config: dict[str, str] | None,
    jvm_extra: list[str],
) -> str:
    t0 = time.monotonic()
    url = f"bolt://127.0.0.1:{port}"
    java, _ = _java_info()
    if not _port_free(port):
        raise Neo4jServerError(f"port 127.0.0.1:{port} is already in use")
    d.mkdir(parents=True, exist_ok=True)
    conf = d / CONF_FILE
    _write_private(conf, _config_text(port, pagecache, extra_config))
    log_path = d / LOG_FILE
    with open(log_path, "a") as log:
        log.write(
            f"=== {_dt.datetime.now().isoformat(timespec='seconds')} starting Neo4j on {url} ===\n"
        )
        log.flush()
        offset = log.tell()
        cmd = [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
            *jvm_extra,
            "-jar",
            str(JAR),
            str(d),
            str(conf),
        ]
        proc = subprocess.Popen(
            cmd,
            cwd=d,
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the caller and its Ctrl-C; stopped with `stop`
            close_fds=True,
            env={k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"},
        )
    _CHILDREN[str(d)] = proc
    # The password goes through a pipe: not on a command line, not in the environment.
    assert proc.stdin is not None
    proc.stdin.write((password + "\n").encode())
    proc.stdin.close()
    _write_private(d / PID_FILE, f"{proc.pid}\n")
    state = {
        "pid": proc.pid,
        "port": port,
        "url": url,
        "heap": heap,
        "pagecache": pagecache,
        "started": time.time(),
    }
    _write_private(d / STATE_FILE, json.dumps(state) + "\n")
    _log(f"started pid {proc.pid}, waiting for {url} (timeout {timeout:.0f}s) ...")

    def fail(reason: str) -> Neo4jServerError:
        if proc.poll() is None:
            _stop_pid(proc.pid, d, timeout=15.0, kill=False)
        _CHILDREN.pop(str(d), None)
        (d / PID_FILE).unlink(missing_ok=True)
        return Neo4jServerError(f"Neo4j did not start: {reason}\n{_log_tail(d)}")

    ready = False
    last_err: Exception | None = None
    while time.monotonic() < t0 + timeout:
        rc = proc.poll()
        if rc is not None:
            raise fail(f"the server process exited with code {rc}")
        if not ready:
            try:
                with open(log_path, "rb") as f:
                    f.seek(offset)
                    ready = READY_MARKER.encode() in f.read()
            except OSError:
                pass
        if ready:
            try:
                _check_bolt(url, port, password)
                _log(f"ready at {url} after {time.monotonic() - t0:.1f}s")
                return url
            except PermissionError as e:
                msg = f"authentication failed; {d} was probably set up with another password ({e})"
                raise fail(msg) from None
            except Exception as e:  # not accepting connections yet
                last_err = e
        time.sleep(0.1)
    raise fail(f"no authenticated answer on {url} within {timeout:.0f}s (last error: {last_err})")


def _stop_pid(pid: int, d: Path, timeout: float, kill: bool) -> None:
    try:
        os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    if _wait_exit(pid, d, timeout):
        return
    _log(f"pid {pid} still running after {timeout:.0f}s; sending SIGKILL")
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not _wait_exit(pid, d, 30.0):
        raise Neo4jServerError(f"could not stop Neo4j pid {pid}")


def stop(dir: str | os.PathLike, timeout: float = 60.0, kill: bool = False) -> bool:
    """Stop the server for DIR: SIGTERM (clean shutdown), SIGKILL after ``timeout`` seconds.

    ``kill=True`` sends SIGKILL at once (a crash, for recovery tests). Idempotent: returns
    False if no server was running.
    """
    d = Path(dir).resolve()
    pid = _running_pid(d)
    stopped = False
    if pid is not None:
        _log(f"stopping pid {pid} ({'SIGKILL' if kill else 'SIGTERM'}) ...")
        t0 = time.monotonic()
        _stop_pid(pid, d, timeout, kill)
        _log(f"stopped in {time.monotonic() - t0:.1f}s")
        stopped = True
    child = _CHILDREN.pop(str(d), None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    (d / PID_FILE).unlink(missing_ok=True)
    return stopped


# --------------------------------------------------------------------------- offline import

IMPORT_ARGS = "import.args"  # written by graphsvc export --format neo4j-import
IMPORT_LOG = "import.log"


def import_files(
    dir: str | os.PathLike, files: str | os.PathLike, heap: str = "1g", overwrite: bool = False
) -> dict:
    """Run Neo4j's offline importer (``neo4j-admin database import full neo4j``) into DIR.

    The server for DIR must be stopped (the importer writes the database files), and DIR must
    not hold a database ``neo4j`` yet unless ``overwrite`` (which replaces it). The importer's
    classes come with the launcher's jars. Returns ``{"seconds", "cpu_s", "log"}``; raises
    :class:`Neo4jServerError` with the importer's last lines when it fails.
    """
    d, src = Path(dir).resolve(), Path(files).resolve()
    if not (src / IMPORT_ARGS).is_file():
        raise Neo4jServerError(
            f"{src} holds no {IMPORT_ARGS}; write it with graphsvc export --format neo4j-import"
        )
    running = status(d)
    if running is not None:
        raise Neo4jServerError(
            f"the Neo4j server for {d} runs (pid {running['pid']}); stop it first: the offline "
            "import writes the database files"
        )
    if (d / "data" / "databases" / "neo4j").exists() and not overwrite:
        raise Neo4jServerError(
            f"{d} already holds a database 'neo4j'; import into a new --dir, or pass "
            "--overwrite to replace it (its data is lost)"
        )
    if not _SIZE_RE.match(str(heap)):
        raise Neo4jServerError(f"bad heap size {heap!r} (use e.g. 512m or 1g)")
    build()
    java, _ = _java_info()
    d.mkdir(parents=True, exist_ok=True)
    conf = Path(tempfile.mkdtemp(prefix="goudkaart-import-conf-"))
    (conf / CONF_FILE).write_text("dbms.usage_report.enabled=false\n")
    cmd = [java, f"-Xmx{heap}", *[o for o in JVM_OPTIONS if o.startswith("--add-opens")],
           "-cp", str(TARGET_DIR / "lib" / "*"), "org.neo4j.cli.AdminTool",
           "database", "import", "full", "neo4j", f"@{IMPORT_ARGS}"]
    if overwrite:
        cmd.insert(-1, "--overwrite-destination=true")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    env.update(NEO4J_HOME=str(d), NEO4J_CONF=str(conf))
    log_path = d / IMPORT_LOG
    t0, before = time.monotonic(), os.times()
    try:
        with open(log_path, "w") as log:
            rc = subprocess.run(cmd, cwd=src, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env).returncode
    finally:
        shutil.rmtree(conf, ignore_errors=True)
    after = os.times()
    text = log_path.read_text(errors="replace")
    if rc != 0 or "IMPORT DONE" not in text:
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith((".", "-."))]
        raise Neo4jServerError(
            f"the offline import into {d} failed (exit {rc}); see {log_path}\n" + "\n".join(lines[-15:])
        )
    cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    _log(f"imported {src} into {d} in {time.monotonic() - t0:.1f}s (CPU {cpu:.1f}s)")
    return {"seconds": round(time.monotonic() - t0, 2), "cpu_s": round(cpu, 2), "log": str(log_path)}


# --------------------------------------------------------------------------- CLI


def _parse_kv(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Neo4jServerError(f"--conf expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="neo4j_server.py", description="Local Neo4j Community 5.26 server for tests."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the launcher (idempotent)")
    b.add_argument("--force", action="store_true", help="rebuild even if up to date")
    s = sub.add_parser("start", help="start a server in the background and wait until it answers")
    s.add_argument("--dir", required=True, help="directory for data, logs and pid file")
    s.add_argument("--port", type=int, default=7687, help="Bolt port on 127.0.0.1 (default 7687)")
    pw = s.add_mutually_exclusive_group()
    pw.add_argument(
        "--password", help="password of user neo4j (visible in ps: prefer the two others)"
    )
    pw.add_argument("--password-file", help="file whose first line is the password")
    s.add_argument("--heap", default="512m", help="JVM heap, -Xms and -Xmx (default 512m)")
    s.add_argument(
        "--pagecache", default="128m", help="server.memory.pagecache.size (default 128m)"
    )
    s.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait until ready (default 120)"
    )
    s.add_argument(
        "--conf", action="append", default=[], metavar="KEY=VALUE", help="extra neo4j.conf setting"
    )
    t = sub.add_parser("stop", help="stop the server (idempotent)")
    t.add_argument("--dir", required=True)
    t.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before SIGKILL (default 60)"
    )
    t.add_argument("--kill", action="store_true", help="SIGKILL at once (simulates a crash)")
    st = sub.add_parser("status", help="print whether the server runs (exit 0 running, 3 stopped)")
    st.add_argument("--dir", required=True)
    im = sub.add_parser("import", help="offline import of graphsvc's import files (server stopped)")
    im.add_argument("--dir", required=True, help="the server's directory")
    im.add_argument("--files", required=True, help="folder of graphsvc export --format neo4j-import")
    im.add_argument("--heap", default="1g", help="the importer's JVM heap (default 1g)")
    im.add_argument("--overwrite", action="store_true", help="replace DIR's database neo4j")
    args = p.parse_args(argv)

    try:
        if args.cmd == "build":
            build(force=args.force)
            return 0
        if args.cmd == "start":
            password = args.password
            if args.password_file:
                lines = Path(args.password_file).read_text().splitlines()
                password = lines[0] if lines else ""
            url = start(
                args.dir,
                port=args.port,
                password=password,
                heap=args.heap,
                pagecache=args.pagecache,
                timeout=args.timeout,
                extra_config=_parse_kv(args.conf),
            )
            print(url, flush=True)
            return 0
        if args.cmd == "stop":
            if not stop(args.dir, timeout=args.timeout, kill=args.kill):
                _log("not running")
            return 0
        if args.cmd == "import":
            import_files(args.dir, args.files, heap=args.heap, overwrite=args.overwrite)
            return 0
        if args.cmd == "status":
            state = status(args.dir)
            if state is None:
                print("stopped")
                return 3
            print(f"running pid {state['pid']} {state.get('url', '')}".rstrip())
            return 0
    except (Neo4jServerError, OSError) as e:
        first, _, rest = str(e).partition("\n")
        print(f"error: {first}", file=sys.stderr)
        if rest:
            print(rest, file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
