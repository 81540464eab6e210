"""Trials: the registry, CTML trials and matching pages (issue 5)."""
