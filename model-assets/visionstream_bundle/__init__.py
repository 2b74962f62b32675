"""Helpers shared by the bundle converters: manifest validation, self-check fixtures, the ORT check."""
