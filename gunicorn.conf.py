"""gunicorn settings for Northlight: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (names below) or the command line.
"""

import os


def cpu_count() -> int:
    """CPUs this process may use (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes, not threads, carry the load: rendering is CPU-bound Python, and the GIL lets one
# thread run at a time. 2 x CPUs + 1 keeps a CPU busy while another process waits on the
# database. Each worker also gets a few threads so a slow query or an SMTP hand-off in one
# request does not idle the whole process (and keep-alive connections cost no process).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On restart or deploy (SIGTERM/SIGHUP) a worker finishes the requests it has before exiting.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# nginx keeps connections to us open; a little longer than its idle time avoids races.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycling workers after N requests (a guard against memory leaks) is off: a new worker
# costs a full app start (a second or two of CPU) and starts with an empty page cache, and at
# launch-day rates any N worth setting comes round every few seconds (measured: 15 restarts
# in a 40-second benchmark at N=10000, p99 latency up from ~60 ms to over 1 s). Set
# GUNICORN_MAX_REQUESTS (jitter: a tenth of it) if a leak ever shows up in the workers' RSS.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10

# preload_app stays off. With it, create_app() runs once in the master before the fork, so
# every worker would inherit the master's SQLAlchemy pool (sockets shared by several
# processes corrupt each other's conversations with PostgreSQL), its Redis connections, and
# none of its threads (a mail-delivery thread started in the master does not exist in the
# children). Loading the app in each worker costs about a second of start-up and some
# memory, and every worker then owns its pool, its Redis client and its mail thread.
# post_fork below makes --preload safe for the database pool should anyone turn it on.
preload_app = False

# The app writes one JSON line per request itself (app/observability.py), with the request
# id, so gunicorn's own access log is off unless asked for (GUNICORN_ACCESS_LOG=- or a path).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = (
    '{"remote_addr": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Heartbeat files in memory: a disk under load must not make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# X-Forwarded-Proto is believed only from these addresses (nginx on the same host).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's control socket has one default path per user: two instances on one machine
# (a deploy next to a benchmark) would fight over it. On only when a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
proc_name = os.environ.get("GUNICORN_PROC_NAME", "northlight")


def post_worker_init(worker):
    """Say when a worker has the app loaded and takes requests (deploy scripts wait for it)."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def post_fork(server, worker):
    """With --preload, drop pooled connections inherited from the master (never share them)."""
    if not server.cfg.preload_app:
        return
    from app.extensions import db

    wsgi = server.app.wsgi()
    with wsgi.app_context():
        # close=False: leave the parent's sockets alone, just forget them in this process.
        db.engine.dispose(close=False)
