"""The benchmark's server and client: gunicorn as production runs it, and employees logging in through the form."""

import http.cookiejar
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "careerportal" / "gunicorn.conf.py"
SERVER_START_SECONDS = 90


def server_shape() -> tuple[int, int, str]:
    """(workers, threads, worker class) as the production gunicorn configuration computes them (GUNICORN_WORKERS and
    GUNICORN_THREADS in the environment change them; gunicorn runs threaded workers for more than one thread)."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    workers, threads = config["workers"], config["threads"]
    return workers, threads, "gthread" if threads > 1 else config["worker_class"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    session: int  # the session id of gunicorn's master, its workers and nothing else (start_new_session)

    def cpu_seconds(self) -> float | None:
        """The processor time (user and system) the server's processes have used so far, from Linux's /proc; None
        where there is no /proc. Unlike throughput, it hardly moves with what else the machine is running."""
        proc = Path("/proc")
        if not (proc / "self" / "stat").exists():
            return None
        ticks = 0
        for stat in proc.glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended meanwhile
            if int(fields[3]) == self.session:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn_server(*, log_path: Path, access_log: Path, env: dict[str, str]) -> Iterator[Server]:
    """gunicorn as production runs it (careerportal/gunicorn.conf.py and the environment's settings, plus `env`) on
    a free loopback port; stopped however we leave. The access log goes to a file, as it would go to a log
    collector."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "careerportal.wsgi:application",
        "--config", str(GUNICORN_CONFIG), "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
        "--access-logfile", str(access_log), "--error-logfile", str(log_path),
    ]  # fmt: skip
    env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "benchmark.settings"}
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(server, base_url, log_path)
        yield Server(url=base_url, session=server.pid)
    finally:
        server.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the group of the server we started, nothing else
            server.wait(timeout=10)


def _wait_until_healthy(server: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {SERVER_START_SECONDS} s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


# The client side: logging in, fetching.


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def logged_in_opener(base_url: str, *, username: str, password: str) -> tuple[urllib.request.OpenerDirector, dict]:
    """Logs in through the real login form (CSRF token and all), as a browser would: an opener that keeps the
    session's cookies and does not follow redirects, and the cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base_url}/accounts/login/", timeout=30) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("The login page has no CSRF token.")
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token[1]})
    request = urllib.request.Request(f"{base_url}/accounts/login/", data=data.encode(), method="POST")
    request.add_header("Referer", f"{base_url}/accounts/login/")
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as redirect:  # the successful login answers 302
        if redirect.code != 302:
            raise
    from django.conf import settings

    cookies = {cookie.name: cookie.value for cookie in jar}
    if settings.SESSION_COOKIE_NAME not in cookies:
        raise RuntimeError(f"Logging in as {username} did not give a session (cookies: {sorted(cookies)}).")
    return opener, cookies


def login(base_url: str, *, username: str, password: str) -> str:
    """Logs in through the login form; returns the Cookie header of the session."""
    _opener, cookies = logged_in_opener(base_url, username=username, password=password)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(url: str, cookie: str) -> bytes:
    """The page's body; anything but a 200 (a redirect to the login page, an error) stops the benchmark."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url} answered {error.code}, not 200.") from None
