"""The real parts the fault tests break: a private Redis, a TCP switch that can forward, hang
or refuse, the app served by gunicorn or runserver, and a browser-like client. Everything on
127.0.0.1, on free ports, bounded in time, and stopped when the block ends."""

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from http.cookiejar import CookieJar
from pathlib import Path

from tests.support.smtp import free_port
from tests.support.worker import stop

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test stops and starts."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port",
             str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port)

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class TcpSwitch:
    """A TCP proxy to `target` whose mode the test sets: "forward", "hang" (accept and never
    answer) or "refuse" (close each connection at once)."""

    def __init__(self, target_port: int, mode: str = "forward"):
        self.target_port, self.mode = target_port, mode
        self.port = free_port()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._open: list[socket.socket] = []
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self._running:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
            elif self.mode == "hang":
                self._open.append(client)  # held open, never a byte
            else:
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        self._open += [client, upstream]
        sockets = [client, upstream]
        try:
            while self._running and self.mode == "forward":
                ready, _, _ = select.select(sockets, [], [], 0.2)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def set(self, mode: str):
        """Switch mode; connections already open are cut, as an outage cuts them."""
        self.mode = mode
        for sock in self._open:
            with suppress(OSError):
                sock.close()
        self._open.clear()

    def close(self):
        self._running = False
        self.set("refuse")
        self._server.close()


def app_env(**overrides) -> dict:
    """The environment of an app process in a fault test (production settings, plain HTTP)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "REDIS_URL", "EMAIL_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="fault-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1",
        NUM_PROXIES="1",  # each simulated person has an address of their own (X-Forwarded-For)
        SIGN_MIN_FILL_SECONDS="0",
        EMAIL_RETRY_BACKOFF="1",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


@contextmanager
def app_server(env: dict, *, runserver: bool = False, log_name: str = "app"):
    """Serve the app (gunicorn, 2 workers; or `manage.py runserver`, as `make run` does) until
    the block ends; yields its base URL."""
    port = free_port()
    env = {**env, "SITE_URL": f"http://127.0.0.1:{port}"}
    if not runserver:
        _collect_static(env)  # production serves the hashed files of collectstatic's manifest
    if runserver:
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    else:
        command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind",
                   f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"]  # fmt: skip
    log = (ROOT / f".pytest-{log_name}.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(f"{base}/healthz?ready"), timeout=60, process=server)
        yield base
    finally:
        stop(server)
        log.close()


_static_collected = False


def _collect_static(env: dict) -> None:
    global _static_collected
    if not _static_collected:
        manage(env, "collectstatic", "--noinput")
        _static_collected = True


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=True,
    )  # fmt: skip
    return result.stdout


def sign_over_http(base: str, slug: str, *, email: str, address: str, **fields) -> tuple:
    """Load the sign form and post it as a person at `address` would; (status, seconds the
    post took)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("X-Forwarded-For", address)]
    url = f"{base}/letters/{slug}/sign/"
    with opener.open(url, timeout=20) as response:
        form = response.read().decode()
    data = {
        "csrfmiddlewaretoken": CSRF.search(form).group(1),
        "started": STARTED.search(form).group(1),
        "organisation_name": f"Organisation of {email}",
        "country": "KE",
        "contact_name": "Contact",
        "contact_email": email,
        "list_publicly": "on",
        "authorised": "on",
        "consent": "on",
        **fields,
    }
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": url}
    )
    started = time.monotonic()
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            status = 302 if response.url.endswith("/check-email/") else response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def get(url: str, timeout: float = 30) -> tuple[int, float, str]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(errors="replace"), error.code
    except OSError:
        body, status = "", 0  # no answer at all
    return status, time.monotonic() - started, body


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_for_port(port: int, timeout: float = 20):
    def open_():
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    _wait_until(open_, timeout=timeout)


def _wait_until(predicate, *, timeout: float, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("the process exited before it was ready; see its .pytest-*.log")
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(f"not ready after {timeout}s")
