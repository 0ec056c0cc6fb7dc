"""The folder tree draws the architecture: the content core under the page cache, and both under the
three sides (the reader site, the admin, the importer) and the API. Imports only point down."""

import ast
from pathlib import Path

import pytest

ARTICLES = Path(__file__).resolve().parent.parent / "articles"
SIDES = ("articles.site", "articles.admin", "articles.importing", "articles.api")
CACHE = "articles.cache"
# Not the core: the sides, the cache, and what wires them together or serves them to Django.
NOT_CORE = {
    *SIDES,
    CACHE,
    "articles.management",
    "articles.templatetags",
    "articles.migrations",
    "articles.apps",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ARTICLES.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Return every module ``path`` imports, at its top or inside a function, as absolute names."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def modules_in(*packages: str) -> list[Path]:
    return [
        path
        for path in sorted(ARTICLES.rglob("*.py"))
        if "migrations" not in path.parts and module_name(path).startswith(packages)
    ]


def is_within(module: str, packages: tuple[str, ...] | set[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def core_modules() -> list[Path]:
    return [path for path in modules_in("articles") if not is_within(module_name(path), NOT_CORE)]


def test_the_core_is_found():
    names = {module_name(path) for path in core_modules()}
    assert {"articles.models", "articles.querysets", "articles.slugs", "articles.sanitise"} <= names
    assert not any(is_within(name, {*SIDES, CACHE}) for name in names)


@pytest.mark.parametrize("path", core_modules(), ids=module_name)
def test_the_core_imports_neither_a_side_nor_the_cache(path):
    assert not {module for module in imported_modules(path) if is_within(module, {*SIDES, CACHE})}


@pytest.mark.parametrize("path", modules_in(CACHE), ids=module_name)
def test_the_cache_imports_no_side(path):
    assert not {module for module in imported_modules(path) if is_within(module, SIDES)}


@pytest.mark.parametrize("path", modules_in("articles.site"), ids=module_name)
def test_the_reader_site_imports_neither_the_admin_nor_the_importer(path):
    assert not {
        module
        for module in imported_modules(path)
        if is_within(module, ("articles.admin", "articles.importing", "articles.api"))
    }


def test_the_models_package_names_every_model():
    from django.apps import apps

    import articles.models

    models = {model.__name__ for model in apps.get_app_config("articles").get_models()}
    assert models <= set(articles.models.__all__)
