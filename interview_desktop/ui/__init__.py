"""Widgets only: the main window, one module per tab, Qt models for tables."""
