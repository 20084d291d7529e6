"""Accounts' jobs for the worker: the part of a password reset that depends on whether the
address has an account, kept out of the request so that its time does not tell."""

from django.tasks import task

from . import services


@task
def password_reset_send(*, email: str) -> int:
    return services.password_reset_send(email=email)
