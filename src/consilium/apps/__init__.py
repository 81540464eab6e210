"""Django apps: persist, authorize, present and schedule. They call engines."""
