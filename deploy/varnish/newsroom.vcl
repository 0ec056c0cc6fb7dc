# Varnish 7.1 in front of newsroom's gunicorn app servers (Debian: varnish, varnish-modules).
#
# What it promises (the app's headers decide, this file enforces):
# - only pages the app marks for shared caches (Cache-Control: s-maxage=N, no cookie set) are
#   stored, for N seconds: N never runs past the next scheduled publication, so a scheduled
#   article appears on time without a purge (and static files, for their max-age);
# - the admin, previews, the health check and every request of a logged-in person (session or
#   CSRF cookie) go to the app, and are never stored;
# - each stored page is tagged with its Surrogate-Key header (copied into xkey): the app's
#   PURGE naming a key removes every page that shows it, at once, on every node it is sent to;
# - an expired page is never served while an app server is healthy (no grace): a stale page
#   is served only when every app server is down, never one purged for a change;
# - conditional requests (ETag / Last-Modified) are answered with 304 from the cache, and
#   passed to the app for pages that are not stored.
#
# This file is the shared logic. A site's own VCL file includes it first, then defines its app
# servers (with `.probe = newsroom_health`), `sub newsroom_backend` (picks the app server) and
# `sub newsroom_check_purger` (refuses PURGE from anyone but the app servers): see default.vcl.

vcl 4.1;

import directors;
import std;
import var;
import xkey;

# Health of each app server: /health/ answers 200 while the database answers (503 otherwise).
probe newsroom_health {
    .url = "/health/";
    .interval = 2s;
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
    .initial = 2;
    .expected_response = 200;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        call newsroom_purge;
    }
    call newsroom_backend;

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin and previews are private; the health check must reach an app server.
    if (req.url ~ "^/(admin|preview|health)(/|$)") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Someone logged in (or in the middle of a form): their pages are their own. Django's
    # default cookie names; change them here if SESSION_COOKIE_NAME / CSRF_COOKIE_NAME change.
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken)=") {
        return (pass);
    }

    # One stored copy per interface language, whatever the browser sent: Django is given a
    # single language, the first of zh* / en the browser (or the django_language cookie) names.
    if (req.http.Cookie ~ "(^|;)\s*django_language=(en|zh-hans)\s*(;|$)") {
        set req.http.Accept-Language = regsub(req.http.Cookie, "^(.*;)?\s*django_language=(en|zh-hans)\s*(;.*)?$", "\2");
    } elsif (req.http.Accept-Language ~ "(?i)^.*?\ben\b" && req.http.Accept-Language !~ "(?i)^.*?\bzh\b.*?\ben\b") {
        set req.http.Accept-Language = "en";
    } else {
        set req.http.Accept-Language = "zh-hans";
    }
    # Readers' other cookies (analytics and the like) mean nothing to the app.
    unset req.http.Cookie;

    # Campaign parameters do not change the page: one stored copy whatever they say.
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    set req.url = std.querysort(req.url);

    # While an app server is healthy an expired page is fetched anew (requests for the same
    # page wait for one fetch), because a page expires exactly when a scheduled article
    # appears. Only when all are down is a stale page better than an error.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

# PURGE / with `xkey: key1 key2 …` removes every stored page tagged with any of the keys;
# `xkey-softpurge: …` only expires them (kept for grace while the app servers are down and
# for revalidation). newsroom_check_purger says who may.
sub newsroom_purge {
    call newsroom_check_purger;
    if (req.http.xkey) {
        set req.http.X-Purged = xkey.purge(req.http.xkey);
    } elsif (req.http.xkey-softpurge) {
        set req.http.X-Purged = xkey.softpurge(req.http.xkey-softpurge);
    } else {
        return (synth(400, "PURGE needs an xkey or xkey-softpurge header"));
    }
    # A page being fetched now may have been read before the change committed: it must not
    # be stored (see vcl_backend_response).
    var.global_set("newsroom-last-purge", std.time2real(now, 0.0));
    return (synth(200, "Purged " + req.http.X-Purged + " objects"));
}

sub vcl_backend_fetch {
    var.set_real("fetch-started", std.time2real(now, 0.0));
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Static files (WhiteNoise): their names change with their content, and they say how long
    # they keep (max-age).
    if (bereq.url ~ "^/static/" && beresp.status == 200 && !beresp.http.Set-Cookie && beresp.ttl > 0s) {
        set beresp.grace = 6h;
        return (deliver);
    }
    # Stored only when the app says a shared cache may keep it, and it sets no cookie.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "(?i)s-maxage=\d") {
        set beresp.uncacheable = true;
        # A short hit-for-miss: the next fetch of this page may be storable again.
        set beresp.ttl = 10s;
        set beresp.grace = 0s;
        return (deliver);
    }
    # Shareable, but not now: s-maxage=0 (a scheduled article appears within the second), or
    # fetched from before a purge (the app may have read the content as it was before the
    # change; the millisecond covers the purge time's rounding). Handed to the readers waiting
    # for it, kept for nobody: the next readers wait for one new fetch together.
    if (beresp.ttl <= 0s
        || var.get_real("fetch-started") <= std.real(var.global_get("newsroom-last-purge"), 0.0) + 0.001) {
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    # Served stale only while every app server is down (see req.grace in vcl_recv), and
    # kept longer for revalidation with If-None-Match / If-Modified-Since.
    set beresp.grace = 6h;
    set beresp.keep = 1h;
    if (beresp.http.Content-Type ~ "(?i)^(text/|application/(xml|json|rss\+xml|atom\+xml|javascript))") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_deliver {
    # The keys are for this cache only; s-maxage too: a shared cache further on would keep
    # pages without receiving the purges. Readers' browsers revalidate (max-age=0, ETag).
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (resp.http.Cache-Control ~ "(?i)s-maxage") {
        set resp.http.Cache-Control = regsuball(resp.http.Cache-Control, "(?i)\s*s-maxage=\d+\s*(,|$)", "");
        set resp.http.Cache-Control = regsub(resp.http.Cache-Control, ",\s*$", "");
        if (resp.http.Cache-Control == "") {
            unset resp.http.Cache-Control;
        }
    }
    if (obj.uncacheable) {
        set resp.http.X-Varnish-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "hit";
    } else {
        set resp.http.X-Varnish-Cache = "miss";
    }
}

sub vcl_backend_error {
    # No app server answered and nothing stored to fall back on: the app's own words for it.
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "5";
    set beresp.http.Cache-Control = "no-store";
    synthetic({"<!doctype html>
<html lang="zh-hans">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>暂时无法访问 · Unavailable</title></head>
<body style="font-family:sans-serif;line-height:1.8;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>网站暂时无法访问</h1>
<p>请稍后再试。</p>
<p lang="en">The site is unavailable for a moment. Please try again shortly.</p>
</body>
</html>
"});
    return (deliver);
}
