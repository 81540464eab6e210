"""Records: uploaded documents, their content-addressed storage and extracted text."""
