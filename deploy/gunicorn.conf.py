"""gunicorn settings for a newsroom app server (used by `make cluster`; fit for production).

    gunicorn -c deploy/gunicorn.conf.py newsroom.wsgi

Read from the environment:

- ``GUNICORN_BIND``: address to listen on (default ``127.0.0.1:8000``);
- ``GUNICORN_WORKERS``: worker processes (default: two per CPU, plus one);
- ``GUNICORN_TIMEOUT``: seconds a worker may spend on one request before it is replaced (30).

Each request is logged by the app (``NEWSROOM_REQUEST_LOG=1``, newsroom/request_log.py), with
its timing and the page cache's part, so gunicorn's own access log stays off. gunicorn's
messages (start, worker exits, timeouts) go to stderr in the app's format: one JSON object a
line with ``DJANGO_LOG_FORMAT=json``.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Connections come from Varnish (or a load balancer) that keeps them open between requests.
keepalive = 5
accesslog = None
# Each worker loads the app itself: a fork after connecting would share sockets (PostgreSQL,
# Redis's tracking connection) between processes.
preload_app = False

_json = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower() == "json"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "newsroom.log_format.JsonFormatter"},
        "text": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if _json else "text",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        # A logging configuration turns gunicorn's access log on: the app's request log replaces it.
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}
