"""Engines: plain Python that imports no Django.

Each engine takes and returns plain data (dataclasses, dicts) so it runs the same from a
page, the API, a command, a background task or a test. The Django apps in
``consilium.apps`` persist, authorize and present; they call engines, never the reverse
(tests/architecture/test_engine_imports.py keeps that rule).
"""
