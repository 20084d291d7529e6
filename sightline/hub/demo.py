"""The demo partnership's hub."""

from typing import Any


def seed(*, password: str, stdout: Any) -> None:
    """Nothing published yet."""
