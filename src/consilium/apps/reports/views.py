"""TEMPORARY SCAFFOLD: replaced by the page work."""

def view(request, *args, **kwargs):
    raise NotImplementedError('view')


def pdf(request, *args, **kwargs):
    raise NotImplementedError('pdf')


def ask(request, *args, **kwargs):
    raise NotImplementedError('ask')


def answer(request, *args, **kwargs):
    raise NotImplementedError('answer')
