"""The demo: a reproducible synthetic program and the one command that serves it."""
