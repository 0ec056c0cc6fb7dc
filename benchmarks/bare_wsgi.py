"""A 19 KB answer from a bare WSGI callable, no Django: the page benchmark's reference for what
gunicorn, wrk and this machine's scheduler alone cost, latency tails included."""

BODY = b"x" * (19 * 1024)


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
