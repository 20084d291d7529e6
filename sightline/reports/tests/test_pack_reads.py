"""The pack's, the trends' and the executive dashboard's modules read the domain apps only
through their selectors (and pure modules with no queries): decision 0010."""

import ast
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parent.parent
MODULES = [
    "pack.py",
    "trends.py",
    "executive.py",
    "selectors/pack.py",
    "selectors/trends.py",
    "selectors/executive.py",
    "views/pack.py",
    "views/executive.py",
    "forms/pack.py",
    "panels/executive.py",
]
DOMAIN_APPS = {"reviews", "learning", "assurance", "training"}
# Modules of the domain apps with no queries in them, which reports may use as they are.
PURE = {"quarters", "charts", "scoring", "vocabulary"}
PURE_MODULES = {"pack.py", "trends.py", "executive.py"}


def imports_of(path: Path) -> list[list[str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module.split("."))
        elif isinstance(node, ast.Import):
            found += [alias.name.split(".") for alias in node.names]
    return found


@pytest.mark.parametrize("module", MODULES)
def test_domain_apps_are_read_through_their_selectors(module):
    wrong = [
        ".".join(parts)
        for parts in imports_of(REPORTS / module)
        if parts[0] == "sightline"
        and len(parts) > 2
        and parts[1] in DOMAIN_APPS
        and parts[2] not in PURE
        and not parts[2].endswith("selectors")
    ]
    assert wrong == []


@pytest.mark.parametrize("module", sorted(PURE_MODULES))
def test_the_pure_modules_import_no_orm(module):
    modules = {".".join(parts) for parts in imports_of(REPORTS / module)}
    assert not any(name.startswith("django.db") for name in modules)
