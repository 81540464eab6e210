"""TEMPORARY SCAFFOLD: replaced by the page work."""

def upload(request, *args, **kwargs):
    raise NotImplementedError('upload')


def viewer(request, *args, **kwargs):
    raise NotImplementedError('viewer')


def download(request, *args, **kwargs):
    raise NotImplementedError('download')
