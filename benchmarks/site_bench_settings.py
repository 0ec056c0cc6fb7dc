"""Settings for the page benchmarks: the project's settings, plus the baseline views' URLs and the
perf-floor's templates (b0, found by ``benchmarks/perf_floor.py``)."""

from benchmarks.perf_floor import require_floor_dir
from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.site_bench_urls"

# The floor's view renders "floor/article.html" with Django's template engine, as its README says.
for _engine in TEMPLATES:  # noqa: F405
    if _engine["BACKEND"] == "django.template.backends.django.DjangoTemplates":
        _engine["DIRS"] = [*_engine["DIRS"], require_floor_dir() / "templates"]
