"""The README and .env.example stay true: the variables, files, make targets and commands they name exist."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

PROJECT = Path(__file__).resolve().parent.parent
README = (PROJECT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (PROJECT / ".env.example").read_text(encoding="utf-8")
# The settings' helpers that read one environment variable each (newsroom/settings.py).
ENVIRONMENT_READERS = {"env_bool", "env_int", "env_float", "env_list"}
# Folders of the repository; README paths under data/ and artifacts/ are made when the site runs.
REPOSITORY_FOLDERS = ("articles/", "newsroom/", "tests/", "benchmarks/", "deploy/", "templates/", "static/")


def variables_read_by_settings() -> set[str]:
    """Return the names of the environment variables newsroom/settings.py reads."""
    tree = ast.parse((PROJECT / "newsroom" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in ENVIRONMENT_READERS or function == "os.environ.get":
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return names


def configuration_table() -> str:
    """Return the README's Configuration section."""
    return README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]


def test_the_settings_read_the_variables_this_test_knows_how_to_find():
    assert {
        "DJANGO_DEBUG",
        "DATABASE_URL",
        "NEWSROOM_EMBED_HOSTS",
        "NEWSROOM_S3_BUCKET",
    } <= variables_read_by_settings()


@pytest.mark.parametrize("name", sorted(variables_read_by_settings()))
def test_every_variable_the_settings_read_is_in_the_readme_table_and_env_example(name):
    assert f"`{name}`" in configuration_table()
    assert re.search(rf"\b{name}\b", ENV_EXAMPLE)


def test_every_newsroom_and_django_variable_the_documents_name_is_read_by_the_settings():
    named = set(re.findall(r"\b(?:NEWSROOM|DJANGO)_[A-Z0-9_]*[A-Z0-9]\b", README + ENV_EXAMPLE))
    # A name the settings do not read from the environment may still be a setting (NEWSROOM_IMAGE_WIDTHS).
    unknown = {name for name in named - variables_read_by_settings() if not hasattr(settings, name)}
    assert not unknown


def test_every_repository_path_the_readme_names_exists():
    named = {path for path in re.findall(r"`([^`\s]+)`", README) if path.startswith(REPOSITORY_FOLDERS)}
    assert len(named) > 20
    missing = {path for path in named if not any(PROJECT.glob(path.rstrip("/")))}
    assert not missing


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z][a-z_-]*):", (PROJECT / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z_-]*)", README))
    assert named and not named - targets


def test_every_management_command_the_readme_names_exists():
    named = set(re.findall(r"manage\.py ([a-z][a-z_]*)", README))
    assert named and not named - set(get_commands())
