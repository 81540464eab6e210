"""Outreach: claims scans that find members who would benefit from a review, and the
coordinators' outreach worklist (issue 3)."""
