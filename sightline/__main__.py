"""The ``sightline`` command: Django's management commands with Sightline's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sightline", *sys.argv[1:]])


if __name__ == "__main__":
    main()
