"""Portals for the people outside the program: members (request, consent, upload,
status, summary, questions) and treating physicians (referral, their patients' reports)."""
