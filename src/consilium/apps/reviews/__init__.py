"""Reviews: the expert's structured opinion, its signature and addenda."""
