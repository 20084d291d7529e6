"""The published data contracts' examples, kept in the repository so a clone stands alone.

``examples/`` is a byte-for-byte copy of the partnership's published ``spec/examples/``;
``test_examples_copy.py`` compares the two whenever the published folder sits beside the
repository (``shared/spec/examples`` in the folder above it)."""

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "examples"
