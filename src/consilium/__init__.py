"""Consilium: a cancer expert case review program, end to end."""
