"""TEMPORARY SCAFFOLD: replaced by the page work."""

def audit_trail(request, *args, **kwargs):
    raise NotImplementedError('audit_trail')
