from typing import Any


def seed(*, password: str, stdout: Any) -> None:
    """Nothing yet."""
