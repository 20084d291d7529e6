"""``make dev``: Django's reloading server with debugging on. Never for real data."""

from .base import env_bool
from .local import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", default=True)
