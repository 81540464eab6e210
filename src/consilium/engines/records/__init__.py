"""Records: recognize an uploaded file by its content and extract its text."""
