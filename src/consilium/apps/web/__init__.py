"""Web: the base templates, static assets, login and the role home pages."""
