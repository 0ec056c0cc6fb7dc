# A site's VCL: its app servers and who may purge, around the shared logic in newsroom.vcl.
# This one matches `make cluster`: two gunicorn servers on 127.0.0.1:8101 and :8102 (the
# cluster script writes its own copy for the ports it uses). Run with
#   varnishd -f /path/to/default.vcl -p vcl_path=/path/to/deploy/varnish …

vcl 4.1;

# The probe newsroom_health and every rule (defines vcl_recv, vcl_deliver and the rest).
include "newsroom.vcl";

backend app_1 {
    .host = "127.0.0.1";
    .port = "8101";
    .probe = newsroom_health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

backend app_2 {
    .host = "127.0.0.1";
    .port = "8102";
    .probe = newsroom_health;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

sub vcl_init {
    new newsroom_app = directors.round_robin();
    newsroom_app.add_backend(app_1);
    newsroom_app.add_backend(app_2);
}

sub newsroom_backend {
    set req.backend_hint = newsroom_app.backend();
}

# The app servers: they send PURGE after every change readers can see.
acl newsroom_purgers {
    "127.0.0.1";
    "::1";
}

sub newsroom_check_purger {
    if (client.ip !~ newsroom_purgers) {
        return (synth(403, "Forbidden"));
    }
}
