"""Perspectief: case management for Dutch youth care (jeugdhulp)."""

API_VERSION = "1.0.0"
