"""TEMPORARY SCAFFOLD: replaced by the page work."""

def workspace(request, *args, **kwargs):
    raise NotImplementedError('workspace')


def opinion(request, *args, **kwargs):
    raise NotImplementedError('opinion')


def sign(request, *args, **kwargs):
    raise NotImplementedError('sign')


def addendum(request, *args, **kwargs):
    raise NotImplementedError('addendum')
