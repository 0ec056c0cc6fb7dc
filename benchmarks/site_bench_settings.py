"""Settings for the page benchmark: the project's settings, plus the two baseline views' URLs."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.site_bench_urls"
