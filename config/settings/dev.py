"""``make dev``: Django's reloading server with debugging on. Never for real data."""

from .base import env_bool
from .local import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", default=True)
# A template reading a missing name fails here, as in the tests (production logs it).
SIGHTLINE_STRICT_TEMPLATES = env_bool("SIGHTLINE_STRICT_TEMPLATES", default=True)
