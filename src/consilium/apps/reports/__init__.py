"""Reports: the expert report and member summary (HTML and PDF), delivery, follow-up
questions."""
