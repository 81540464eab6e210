"""Access: the one policy that decides who may do what to which case, and the
append-only audit trail every read or write of patient data leaves."""
