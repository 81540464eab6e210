"""Case preparation: facts abstracted from the records, each with its source, confirmed by
a person (issue 4)."""
