"""The main pages under load: gunicorn with the production settings, driven by wrk, against a minimal Django view.

For each page: throughput and latency under wrk (one logged-in employee's session), its throughput as a share of
/baseline/ served by the same process, SQL queries per request (counted in-process with the test client against the
same database), and the size of its HTML, raw and gzipped. run.py seeds the database and calls run_pages().
"""

import cProfile
import gzip
import http.cookiejar
import json
import os
import pstats
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
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from benchmark.seed import Seeded

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
GUNICORN_CONFIG = ROOT / "careerportal" / "gunicorn.conf.py"
MIN_BASELINE_RATIO = 0.5
MAX_QUERIES = 10
MAX_HTML_BYTES = 60 * 1024
SERVER_START_SECONDS = 90
IN_PROCESS_REPEATS = 20  # the fastest is reported: what the page costs, less the machine's other work


@dataclass(frozen=True)
class Page:
    name: str
    path: str

    @property
    def is_reference(self) -> bool:
        """The baselines: measured for comparison, not held to the targets."""
        return self.path.startswith("/baseline/")


@dataclass(frozen=True)
class LoadOptions:
    seconds: int = 3  # wrk's time on each page in each round (after a short warm-up)
    # Every page, the baseline too, is loaded once a round: the machine's busier moments (it is shared) fall on all
    # pages alike, and each page's median round stands for it.
    rounds: int = 5
    wrk_threads: int = 2
    connections: int = 8


def server_shape() -> tuple[int, int]:
    """(workers, threads) as the production gunicorn configuration computes them (GUNICORN_WORKERS and
    GUNICORN_THREADS in the environment change them)."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    return config["workers"], config["threads"]


@dataclass
class PageResult:
    page: Page
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    html_bytes: int = 0
    gzip_bytes: int = 0
    queries: int = 0
    uncached_queries: int = 0  # the first request after a content change, when the page's fragments are rendered
    uncached_ms: float = 0.0
    in_process_ms: float = 0.0
    sql_ms: float = 0.0
    sql: list[tuple[str, float]] = field(default_factory=list)  # (statement, seconds) of one request
    profile: str = ""
    ratio: float = 0.0  # the median round's throughput over the baseline's median round
    rounds_rps: list[float] = field(default_factory=list)  # each round's throughput

    @property
    def checks(self) -> dict[str, bool]:
        return {
            "throughput": self.ratio >= MIN_BASELINE_RATIO,
            "queries": self.queries <= MAX_QUERIES,
            "HTML": self.html_bytes < MAX_HTML_BYTES,
        }

    @property
    def passed(self) -> bool:
        return all(self.checks.values())


def main_pages(seeded: Seeded) -> list[Page]:
    return [
        Page("baseline", "/baseline/"),
        Page("layout only", "/baseline/layout/"),
        Page("home", "/"),
        Page("story list", "/stories/"),
        Page("story list, by skill", "/stories/?" + urllib.parse.urlencode({"skill": seeded.filter_skill_slug})),
        Page("skill page", f"/skills/{urllib.parse.quote(seeded.skill_page_slug)}/"),
        Page("story page", f"/stories/{seeded.story_slug}/"),
        Page("search", "/search/?" + urllib.parse.urlencode({"q": seeded.common_words[0]})),
        Page("toolkit /me/", "/me/"),
    ]


# The server.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(*, log_path: Path) -> Iterator[str]:
    """gunicorn as production runs it (careerportal/gunicorn.conf.py and the environment's settings) on a free
    loopback port; stopped however we leave. The access log goes to a file, as it would go to a log collector."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "careerportal.wsgi:application",
        "--config", str(GUNICORN_CONFIG), "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
        "--access-logfile", str(log_path.with_name("access.log")), "--error-logfile", str(log_path),
    ]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmark.settings"}
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(server, base_url, log_path)
        yield base_url
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


# The client side: logging in, fetching, loading.


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base_url: str, *, username: str, password: str, session_cookie: str) -> str:
    """Logs in through the real login form (CSRF token and all); returns the Cookie header of the session."""
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
    cookies = {cookie.name: cookie.value for cookie in jar}
    if session_cookie not in cookies:
        raise RuntimeError(f"Logging in as {username} did not give a session (cookies: {sorted(cookies)}).")
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


def wrk(url: str, *, cookie: str, seconds: int, options: LoadOptions) -> dict:
    command = [
        "wrk", f"-t{options.wrk_threads}", f"-c{options.connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-H", f"Cookie: {cookie}", "-s", str(WRK_SCRIPT), url,
    ]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


# In-process: queries, time and profile of one request, through the test client against the same database.


def _normalised(sql: str) -> str:
    """The statement with its literal values blanked, so repeated queries (N+1) group together."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    return re.sub(r"\b\d+(\.\d+)?\b", "?", sql)


class _QueryTimer:
    """An execute wrapper that times each statement to the microsecond (Django's own log rounds to milliseconds)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds.append(time.perf_counter() - started)


def measure_in_process(pages: list[Page], results: dict[str, PageResult], *, session_id: str) -> None:
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_id
    for page in pages:
        result = results[page.name]
        client.get(page.path)  # warm: templates compiled, the story's visit recorded
        caches["default"].clear()  # as for a page no one asked for lately
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as uncached:
            client.get(page.path)
        result.uncached_ms = (time.perf_counter() - started) * 1000
        result.uncached_queries = len(uncached.captured_queries)
        timer = _QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"In-process {page.path} answered {response.status_code}.")
        result.queries = len(captured.captured_queries)
        statements = [query["sql"] for query in captured.captured_queries]
        seconds = timer.seconds if len(timer.seconds) == len(statements) else [0.0] * len(statements)
        result.sql = list(zip(statements, seconds, strict=True))
        result.sql_ms = sum(seconds) * 1000
        durations = []
        for _ in range(IN_PROCESS_REPEATS):
            started = time.perf_counter()
            client.get(page.path)
            durations.append((time.perf_counter() - started) * 1000)
        result.in_process_ms = min(durations)
        if not page.is_reference:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(IN_PROCESS_REPEATS):
                client.get(page.path)
            profiler.disable()
            result.profile = _profile_text(profiler)


def _profile_text(profiler: cProfile.Profile) -> str:
    """The functions with the most own time, then the project's own functions by cumulative time."""
    parts = []
    for order, restriction in (("tottime", 15), ("cumulative", rf"^{re.escape(str(ROOT))}/(?!\.venv)")):
        out = StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        if isinstance(restriction, str):
            stats.print_stats(restriction, 15)
        else:
            stats.print_stats(restriction)
        parts.append(f"by {order}:\n" + _trim_profile(out.getvalue()))
    return "\n\n".join(parts)


def _trim_profile(text: str) -> str:
    """pstats' table without its preamble, with paths shortened to the project or the package."""
    table = text[text.find("   ncalls") :] if "   ncalls" in text else text
    table = table.replace(str(ROOT) + "/", "")
    table = re.sub(r"\S*/site-packages/", "", table)
    return re.sub(r"\S*/lib/python3\.\d+/", "", table).rstrip()  # the standard library, wherever it lives


# The run.


def run_pages(*, seeded: Seeded, options: LoadOptions, log_path: Path) -> list[PageResult]:
    from django.conf import settings
    from django.db import connections

    pages = main_pages(seeded)
    results = {page.name: PageResult(page) for page in pages}
    connections.close_all()  # the server gets the database to itself while it is under load
    with gunicorn_server(log_path=log_path) as base_url:
        cookie = login(
            base_url, username=seeded.username, password=seeded.password, session_cookie=settings.SESSION_COOKIE_NAME
        )
        print(f"  gunicorn at {base_url}, logged in as {seeded.username}", flush=True)
        for page in pages:
            result = results[page.name]
            body = fetch(base_url + page.path, cookie)
            if b'name="password"' in body:
                raise RuntimeError(f"{page.path} showed the login form: the session was not accepted.")
            result.html_bytes, result.gzip_bytes = len(body), len(gzip.compress(body, compresslevel=6))
            wrk(base_url + page.path, cookie=cookie, seconds=2, options=options)  # warm-up
        rounds: list[dict[str, dict]] = []
        for number in range(1, options.rounds + 1):
            rounds.append({})
            start = (number - 1) % len(pages)
            for page in pages[start:] + pages[:start]:  # each round starts one page later: no page is always first
                numbers = wrk(base_url + page.path, cookie=cookie, seconds=options.seconds, options=options)
                numbers["rps"] = numbers["requests"] / (numbers["duration_us"] / 1e6)
                rounds[-1][page.name] = numbers
                print(f"  round {number}  {page.name:<22} {numbers['rps']:8.1f} req/s", flush=True)
    for page in pages:
        _summarise_rounds(results[page.name], rounds)
    session_id = dict(part.split("=", 1) for part in cookie.split("; "))[settings.SESSION_COOKIE_NAME]
    measure_in_process(pages, results, session_id=session_id)
    return list(results.values())


def _median_round(rounds: list[dict[str, dict]], name: str) -> dict:
    """The page's numbers from its median round by throughput."""
    ordered = sorted((numbers[name] for numbers in rounds), key=lambda numbers: numbers["rps"])
    return ordered[len(ordered) // 2]


def _summarise_rounds(result: PageResult, rounds: list[dict[str, dict]]) -> None:
    numbers = _median_round(rounds, result.page.name)
    baseline = _median_round(rounds, "baseline")["rps"]
    result.requests, result.requests_per_second = numbers["requests"], numbers["rps"]
    result.ratio = numbers["rps"] / baseline
    result.p50_ms, result.p90_ms, result.p99_ms = (numbers[f"p{p}_us"] / 1000 for p in (50, 90, 99))
    result.rounds_rps = [round_[result.page.name]["rps"] for round_ in rounds]
    result.errors = sum(
        round_[result.page.name][kind]
        for round_ in rounds
        for kind in ("connect", "read", "write", "status", "timeout")
    )


def _sql_summary(sql: list[tuple[str, float]], *, limit: int = 400) -> list[str]:
    """One line per distinct statement shape: how many times, total time, the first statement (shortened)."""
    groups: dict[str, list[tuple[str, float]]] = {}
    for statement, seconds in sql:
        groups.setdefault(_normalised(statement), []).append((statement, seconds))
    lines = []
    for group in sorted(groups.values(), key=lambda rows: -sum(s for _q, s in rows)):
        first = group[0][0]
        text = first if len(first) <= limit else first[:limit] + " …"
        lines.append(f"{len(group)}× {sum(s for _q, s in group) * 1000:.1f} ms: {text}")
    return lines


def report_markdown(*, results: list[PageResult], context: dict[str, str], options: LoadOptions) -> str:
    mark = {True: "pass", False: "**FAIL**"}
    workers, threads = server_shape()
    lines = [
        f"# Page load benchmark: {context['database']}",
        "",
        *(f"- {label}: {value}" for label, value in context.items() if label != "database"),
        f"- Load: `wrk -t{options.wrk_threads} -c{options.connections} -d{options.seconds}s --latency` on each page "
        f"in each of {options.rounds} rounds (after a 2 s warm-up), one logged-in employee's session. A page's "
        "req/s and latencies are those of its median round (each round's req/s in brackets), its ratio that over the "
        "baseline's median round. gunicorn with "
        f"careerportal/gunicorn.conf.py ({workers} workers × {threads} threads, gthread) and the production "
        "settings (DEBUG off, manifest static files, persistent database connections).",
        f"- Targets: at least {MIN_BASELINE_RATIO} × the baseline's throughput, at most {MAX_QUERIES} SQL queries, "
        f"HTML under {MAX_HTML_BYTES // 1024} KB. Queries: one request through Django's test client on the same "
        f"database; in-process ms: the fastest of {IN_PROCESS_REPEATS} such requests; SQL: the time spent in the "
        "database driver's execute calls of one request. Uncached: the first request after a content change "
        "(every cached fragment rendered again), its queries and ms.",
        "",
        "| page | req/s | p50 ms | p99 ms | × baseline | queries | in-process ms (SQL) | uncached: queries, ms "
        "| HTML KB | gzip KB | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        checks = result.checks
        failed = [name for name, ok in checks.items() if not ok]
        verdict = "reference" if result.page.is_reference else mark[not failed]
        if failed and not result.page.is_reference:
            verdict += " (" + ", ".join(failed) + ")"
        errors = f" ({result.errors} errors)" if result.errors else ""
        lines.append(
            f"| {result.page.name} `{result.page.path}` | {result.requests_per_second:,.1f}{errors} "
            f"({', '.join(f'{rps:,.0f}' for rps in result.rounds_rps)}) | "
            f"{result.p50_ms:,.1f} | {result.p99_ms:,.1f} | {result.ratio:.2f} | {result.queries} | "
            f"{result.in_process_ms:,.1f} ({result.sql_ms:,.1f}) | "
            f"{result.uncached_queries}, {result.uncached_ms:,.1f} | {result.html_bytes / 1024:,.1f} | "
            f"{result.gzip_bytes / 1024:,.1f} | {verdict} |"
        )
    lines += ["", "## SQL of one request, per page", ""]
    lines.append("Grouped by statement shape (literals blanked), the most time first.")
    for result in results:
        if result.page.is_reference:
            continue
        lines += ["", f"### {result.page.name} ({result.queries} queries, {result.sql_ms:.1f} ms)", "", "```sql"]
        lines += _sql_summary(result.sql)
        lines.append("```")
    failing = [result for result in results if not result.page.is_reference and not result.checks["throughput"]]
    if failing:
        lines += ["", f"## Where the time goes (cProfile over {IN_PROCESS_REPEATS} requests in-process)"]
        for result in failing:
            lines += ["", f"### {result.page.name}", "", "```", result.profile, "```"]
    return "\n".join(lines) + "\n"


def context_summary(seeded: Seeded, *, database: str) -> dict[str, str]:
    return {
        "database": database,
        "data": ", ".join(f"{count:,} {label}" for label, count in seeded.rows.items())
        + f"; {seeded.words_per_story:,} words of transcript or text per story",
        "seeding": ", ".join(f"{label} {seconds:.0f} s" for label, seconds in seeded.timings),
    }


def vendor_label(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
