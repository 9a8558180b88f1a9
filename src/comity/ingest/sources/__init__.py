"""Parsers: one per external format, each a pure function from a file to canonical rows."""
