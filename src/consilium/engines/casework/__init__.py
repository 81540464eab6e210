"""Case lifecycle rules: statuses, the transition table, coverage and due dates."""
