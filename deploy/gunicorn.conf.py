"""gunicorn settings for the form service: `gunicorn -c deploy/gunicorn.conf.py forms_app.wsgi:app`.

Every setting can be changed from the environment without editing this file:
BIND (default 127.0.0.1:8001), WEB_CONCURRENCY (workers; default 2 per core), WORKER_CLASS
(default sync), THREADS (per worker, for WORKER_CLASS=gthread).

Rate limits are counted where Flask-Limiter keeps them: in Redis with REDIS_URL, shared by every
worker and host; without it in the memory of one process, so each worker would count on its own
and every documented limit would be multiplied by the number of workers (80 tracking tries a
minute against 20 with four workers). So without REDIS_URL the service runs as ONE worker process
with threads (gthread), and the limits hold as written; set REDIS_URL for several workers.
"""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8001")
SHARED_LIMITS = bool(os.environ.get("REDIS_URL") or os.environ.get("RATELIMIT_STORAGE_URI"))
if SHARED_LIMITS:
    workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count())
    # Sync workers behind nginx, which buffers slow clients: on the benchmark machine they served
    # 2.4 times the requests of gthread workers (docs/benchmarks.md). gthread suits a setup without
    # a buffering proxy: WORKER_CLASS=gthread THREADS=4.
    worker_class = os.environ.get("WORKER_CLASS", "sync")
    threads = int(os.environ.get("THREADS") or 1)
else:
    workers = 1  # the limits' memory is this one process's (see above)
    worker_class = "gthread"
    threads = int(os.environ.get("THREADS") or 4 * multiprocessing.cpu_count())
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = 5000
max_requests_jitter = 500
# Load the app, and with it the roster, once in the master: a worker forks with it and serves at
# once. Without this every replacement worker read a city's roster again (seconds of CPU) while
# its share of requests waited; the load benchmark saw p99 go to 3.5 s when workers recycled.
preload_app = True

# gunicorn's access log would print raw paths, which carry manage tokens and case numbers;
# the service writes its own request log without them (forms_app/web/requestlog.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Behind nginx on the same host: trust its X-Forwarded-* (the app's TRUSTED_PROXIES does the rest).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "sanguan-forms"
# No control socket: several servers on one host would fight over the same path (gunicorn ≥ 25).
control_socket_disable = True


def post_fork(server, worker):
    """A new worker gets database connections of its own, and reads a roster edited since the
    master loaded it before it serves."""
    from forms_app.extensions import db
    from forms_app.rosters import RosterUnavailable

    app = server.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)  # SQLAlchemy's advice after fork: leave the parent's alone
    provider = getattr(app, "extensions", {}).get("roster_provider")
    if provider is not None:
        try:
            provider.get()
        except RosterUnavailable:
            pass  # logged by the provider; pages and /readyz say so until a valid roster is saved
