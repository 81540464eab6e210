"""TEMPORARY SCAFFOLD: replaced by the page work."""

def home(request, *args, **kwargs):
    raise NotImplementedError('home')


def refer(request, *args, **kwargs):
    raise NotImplementedError('refer')
