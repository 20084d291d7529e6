"""Training's jobs for the worker: self-registration, whose work (and time) depends on
whether the address already has an account, so it is kept out of the request."""

from django.tasks import task

from sightline.accounts.models import Agency

from . import services


@task
def delegate_register(
    *,
    email: str,
    full_name: str,
    job_title: str,
    agency_id: int,
    organisation: str,
    manager_email: str,
) -> bool:
    """True when an account was made (False: the address had one, and was told so)."""
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    if agency is None:
        # Closed between the form and the worker: nothing to register the person with.
        return False
    user = services.delegate_register(
        email=email,
        full_name=full_name,
        job_title=job_title,
        agency=agency,
        organisation=organisation,
        manager_email=manager_email,
    )
    return user is not None
