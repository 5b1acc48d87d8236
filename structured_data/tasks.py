"""Background checks of published pages (run by ``manage.py db_worker``)."""

from django_tasks import task
from wagtail.models import Site

from . import checks


@task()
def check_page_task(page_id: int) -> None:
    checks.check_and_record(page_id)


@task()
def check_site_task(site_id: int) -> None:
    site = Site.objects.filter(pk=site_id).select_related("root_page").first()
    if site is not None:
        checks.check_site(site)
