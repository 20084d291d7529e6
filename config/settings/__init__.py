"""Settings modules: ``local`` (default), ``dev``, ``test`` and ``production``."""
