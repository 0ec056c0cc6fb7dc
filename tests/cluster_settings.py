"""Settings of the app servers in the cluster test and benchmark: the project's, plus (until the
page-cache branch is merged) the interim shared-cache headers of tests/interim_surrogate_keys.py."""

from newsroom.settings import *  # noqa: F403
from newsroom.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "tests.interim_surrogate_keys.InterimSurrogateKeysConfig"]
MIDDLEWARE = [
    MIDDLEWARE[0],
    "tests.interim_surrogate_keys.InterimSurrogateHeadersMiddleware",
    *MIDDLEWARE[1:],
]
