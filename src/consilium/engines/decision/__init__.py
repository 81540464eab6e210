"""Decision support for one patient: testing gaps, biomarker-matched therapies and
trials. Plain Python over plain data; no Django."""
