"""TEMPORARY SCAFFOLD: replaced by the page work."""

def worklist(request, *args, **kwargs):
    raise NotImplementedError('worklist')


def open_case(request, *args, **kwargs):
    raise NotImplementedError('open_case')


def detail(request, *args, **kwargs):
    raise NotImplementedError('detail')


def edit(request, *args, **kwargs):
    raise NotImplementedError('edit')


def transition(request, *args, **kwargs):
    raise NotImplementedError('transition')


def consent(request, *args, **kwargs):
    raise NotImplementedError('consent')


def consent_revoke(request, *args, **kwargs):
    raise NotImplementedError('consent_revoke')


def coverage(request, *args, **kwargs):
    raise NotImplementedError('coverage')


def assign(request, *args, **kwargs):
    raise NotImplementedError('assign')
