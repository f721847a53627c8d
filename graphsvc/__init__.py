"""Goudkaart: a partnership-mapping service for community organisations."""

__version__ = "0.1.0"
