"""Processes that the suite and the tools start: servers that die with their parent, the site's
`mkdocs build`, and a static host for the built site.

A child process is tied to the life of the process that starts it: on Linux the kernel sends it
SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), so a test run stopped by SIGTERM, Ctrl-C or
a crash never leaves a server holding a port. Normal ends stop it with SIGTERM first.
"""

from __future__ import annotations

import ctypes
import functools
import gzip
import http.server
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.site.paths import MKDOCS_ENV, ROOT

PR_SET_PDEATHSIG = 1


# Where Linux says which ports it hands out by itself: to a socket bound to port 0 and to the
# local end of every outgoing connection.
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_given: set[int] = set()


def free_port() -> int:
    """A loopback port that nothing listens on, for a server the suite starts. It is chosen
    outside the kernel's ephemeral range: a server takes seconds to bind its port, and a port in
    that range can be handed meanwhile to any socket bound to port 0 (a Jupyter kernel binds
    five) or to the local end of any connection (every health check opens one). Such a port once
    went to another socket while `transformers serve` started, and the standalone clients hung
    on it. A port is given once per process."""
    ports = _outside_ephemeral_range()
    for port in random.sample(ports, min(len(ports), 200)):
        if port not in _given and _bindable(port):
            _given.add(port)
            return port
    with socket.socket() as s:  # no range to choose from (or all taken): the kernel's choice
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _outside_ephemeral_range() -> list[int]:
    try:
        low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):  # not Linux
        return []
    # Above the ports that services commonly use (1024-19999), below or above the range.
    return [*range(20000, low), *range(high + 1, 65536)]


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def die_with_parent() -> None:
    """preexec_fn: SIGKILL this child when the process that started it dies (Linux)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Whether the process is still running; a zombie (ended, not yet reaped) has ended."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):  # reaped, also between the two looks
        return False


def spawn(argv: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start a child in its own process group that dies with this process."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def answers_health(base_url: str) -> bool:
    """Whether GET ``base_url``/health answers 200 within a second."""
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    """An HTTP server process on a loopback port, healthy when GET /health answers 200."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path, timeout: float, env=None):
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.timeout, self.env = timeout, env
        self.base_url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def launch(self) -> Server:
        self.proc = spawn(self.argv, self.log, self.env)
        return self

    def wait(self) -> Server:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}"
                )
            if answers_health(self.base_url):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy after {self.timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def answer(self, path: str, body: dict | None = None, timeout: float = 10) -> dict:
        """The server's JSON answer to GET ``path``, or to POST ``body`` as JSON when given."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.base_url + path, data, headers)
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return json.load(r)

    def tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _StaticHost(_Quiet):
    """Serves a built site the way a static host (GitHub Pages, a CDN) does: text compressed
    with gzip when the browser accepts it, and /404.html, with status 404, for a missing path."""

    COMPRESS = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".ipynb"}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # redirects to the address with a slash
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.suffix in self.COMPRESS and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A reader who leaves a page while it loads (a test navigating on) closes the
        connection: a static host goes on quietly. Anything else is printed as before."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def static_site(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve a built site as a static host does (_StaticHost) from a thread on a loopback port
    (a free one unless given); yields its base URL."""
    handler = functools.partial(_StaticHost, directory=str(folder))
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def mkdocs_build(site_dir: Path) -> list[str]:
    """The command that builds the site into ``site_dir``, as CI and `nox -s docs` build it."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]


def build_site(site_dir: Path, site_url: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` into ``site_dir``, its absolute links (hreflang, canonical, Open
    Graph) pointing at ``site_url``: the address a test serves it from."""
    return subprocess.run(
        mkdocs_build(site_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **MKDOCS_ENV, "SITE_URL": site_url},
        timeout=300,
    )


@contextmanager
def fresh_site() -> Iterator[tuple[str, Path]]:
    """The site built with `mkdocs build --strict` into a scratch folder for a free loopback port
    (its absolute links, hreflang alternates among them, point there) and served there as a
    static host serves it; yields (base URL, folder). The folder may be added to while served."""
    import tempfile

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        done = build_site(site, f"http://127.0.0.1:{port}/")
        if done.returncode != 0:
            raise RuntimeError(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
        with static_site(site, port) as url:
            yield url, site
