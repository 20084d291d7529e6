"""Sightline: a safeguarding partnership's line of sight over its statutory work."""
