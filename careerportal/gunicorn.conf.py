"""gunicorn's settings for production: `gunicorn -c careerportal/gunicorn.conf.py careerportal.wsgi`.

Each can be changed with an environment variable; the defaults suit a node behind a reverse proxy (README,
"Production").
"""

import gc
import json
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes use the cores. A page spends most of its time in Python (the database answers in a millisecond or two),
# and threads of one process take turns holding the interpreter's lock: on the benchmark's mix (benchmark/mix.py),
# 4 threads a worker cost 26 ms of CPU a request where 1 costs 21, for a fifth less throughput. So sync workers, one
# request at a time each: a free worker takes the next connection, where a threaded worker kept its keep-alive
# connections and queued their requests behind each other while another worker sat idle (the mix's p99: 250-340 ms
# with one-thread gthread workers, 145 ms with sync ones, the same throughput). The proxy in front buffers slow
# clients, keeps the browsers' connections alive and serves media files (README, "Production"), so no request holds a
# worker long. GUNICORN_THREADS above 1 makes gunicorn use threaded workers instead: `make run`, with no proxy and
# videos streamed by the portal itself, runs 4 threads a worker.
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS") or (os.cpu_count() or 1) * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# A request that takes longer than this is stuck: the worker is restarted rather than left hanging.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then, so that no slow leak can grow without bound. Not often: a new worker imports
# Django and the portal again (a second or two of a core), so recycling every few thousand requests would cost a busy
# node a noticeable share of its time and slow the requests waiting meanwhile.
max_requests = 100_000
max_requests_jitter = 10_000


def post_worker_init(worker) -> None:
    """Moves what the worker has loaded (Django, the portal, their modules: some 125,000 objects) out of the garbage
    collector's reach: they live as long as the process. Otherwise every few hundred requests a full collection walked
    them all, a pause of up to 60 ms that the requests queued behind it waited out (measured in-process over the
    benchmark's mix with one handler: the longest pause 62 ms before, 2 ms after)."""
    gc.freeze()


# Only the proxy in front may say which scheme the client used (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log to standard output, one JSON object a line like the application's logs.
accesslog = "-"
errorlog = "-"
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "logger": "gunicorn.access",
        "remote": "%(h)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "referer": "%(f)s",
        "user_agent": "%(a)s",
    }
)
