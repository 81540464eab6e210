"""TEMPORARY SCAFFOLD: replaced by the page work."""

def users(request, *args, **kwargs):
    raise NotImplementedError('users')


def user_new(request, *args, **kwargs):
    raise NotImplementedError('user_new')


def user_edit(request, *args, **kwargs):
    raise NotImplementedError('user_edit')


def program_settings(request, *args, **kwargs):
    raise NotImplementedError('program_settings')


def tokens(request, *args, **kwargs):
    raise NotImplementedError('tokens')


def token_revoke(request, *args, **kwargs):
    raise NotImplementedError('token_revoke')
