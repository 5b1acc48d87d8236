"""Build and validate the structured data of every public page, as search engines would read it.

Run it in CI or after an upgrade: it fails when a page's graph has an error (an unknown
schema.org type or property, a dangling ``@id``, a property Google requires for the page's rich
result), and lists warnings (Google's recommendations) without failing. What it finds is also
remembered for the admin dashboard (``structured_data.models.PageCheck``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from structured_data.checks import check_page, page_request, public_pages, record_check
from structured_data.validation import Issue


class Command(BaseCommand):
    help = (
        "Validate the schema.org structured data of every live, public page (of every site, or "
        "of the site with --site HOST). Fails if any page has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            metavar="HOST",
            help="Only check the site with this hostname (for example boreal.test).",
        )

    def handle(self, *args, site=None, **options):
        sites = Site.objects.select_related("root_page").order_by("hostname", "port")
        if site:
            sites = sites.filter(hostname=site)
            if not sites:
                known = ", ".join(
                    Site.objects.order_by("hostname").values_list("hostname", flat=True)
                )
                raise CommandError(
                    f"No site has the hostname {site!r}. Known hostnames: {known or 'none'}."
                )
        checked = failed = error_count = warning_count = 0
        for current_site in sites:
            for page in public_pages(current_site):
                if not hasattr(page, "structured_data_nodes"):
                    continue
                request = page_request(page, current_site)
                if request is None:
                    continue  # not routable, or checked with the site that serves it
                url = current_site.root_url + request.path
                issues = self.check_page(page, request)
                record_check(page, issues)  # what the admin dashboard counts
                checked += 1
                errors = [i for i in issues if i.is_error]
                warnings = [i for i in issues if not i.is_error]
                error_count += len(errors)
                warning_count += len(warnings)
                failed += bool(errors)
                self.report(url, errors, warnings)
        summary = (
            f"{checked} page(s) checked: {failed} with errors, "
            f"{error_count} error(s), {warning_count} warning(s)."
        )
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def check_page(self, page, request) -> list[Issue]:
        return check_page(page, request)

    def report(self, url: str, errors: list[Issue], warnings: list[Issue]) -> None:
        if not errors and not warnings:
            self.stdout.write(f"{url}  " + self.style.SUCCESS("OK"))
            return
        counts = f"{len(errors)} error(s), {len(warnings)} warning(s)"
        style = self.style.ERROR if errors else self.style.WARNING
        self.stdout.write(f"{url}  " + style(counts))
        for issue in [*errors, *warnings]:
            where = " ".join(filter(None, [issue.node_type, issue.node_id])) or "document"
            prop = f" {issue.property}" if issue.property else ""
            self.stdout.write(f"  {issue.level}  [{where}]{prop}: {issue.message} ({issue.code})")
