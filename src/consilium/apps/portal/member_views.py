"""TEMPORARY SCAFFOLD: replaced by the page work."""

def home(request, *args, **kwargs):
    raise NotImplementedError('home')


def request_review(request, *args, **kwargs):
    raise NotImplementedError('request_review')
