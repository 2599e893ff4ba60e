"""Switchyard's Python scoring host. Only the standard library is used, so any Python 3.8+ works."""
