"""The dependency rules of docs and architecture: which Sightline app may import which.

``core`` is the shared kernel and imports no other app; ``accounts`` builds only on it; the
domain apps build on both, and on each other only in one direction, so that no two apps
depend on each other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "sightline"

MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "reviews": {"core", "accounts"},
    "learning": {"core", "accounts", "reviews"},
    "assurance": {"core", "accounts", "reviews", "learning"},
    "training": {"core", "accounts", "reviews", "assurance"},
    # Above every domain app: reads them through their selectors (decision 0010).
    "reports": {"core", "accounts", "reviews", "learning", "assurance", "training"},
    # Above reports: the hub publishes the approved yearly report.
    "hub": {"core", "accounts", "reviews", "learning", "assurance", "training", "reports"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sightline" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_app_has_a_rule():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(MAY_IMPORT)


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_apps_import_only_what_the_rules_allow(app):
    wrong = {}
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.relative_to(ROOT / app).parts:
            continue
        extra = imported_apps(path) - MAY_IMPORT[app] - {app}
        if extra:
            wrong[str(path.relative_to(ROOT))] = sorted(extra)
    assert wrong == {}
