"""The repository's copy of the contract examples is the published one, byte for byte."""

from pathlib import Path

import pytest

from tests.contract import EXAMPLES

PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_the_copy_matches_the_published_examples():
    if not PUBLISHED.is_dir():
        pytest.skip(f"No published examples beside the repository at {PUBLISHED}")
    copy, published = _files(EXAMPLES), _files(PUBLISHED)
    assert sorted(copy) == sorted(published), "the copy and the published folder list other files"
    differing = [name for name in published if copy[name] != published[name]]
    assert differing == [], f"copy these files again from {PUBLISHED}: {differing}"
