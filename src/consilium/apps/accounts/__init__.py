"""People who log in, their role and program, and API tokens for systems."""
