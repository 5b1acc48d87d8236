"""``import_records screenings FILE --organization HOST [--cinema NAME] [--map field=Header]
[--accept-close-matches] [--dry-run]``: a box-office export from the command line
(``films.boxoffice``), declared as the ``screenings`` kind's command (``films.declarations``)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from .boxoffice import FIELDS, BoxOfficeError, boxoffice_import, find_cinema


def add_arguments(parser) -> None:
    group = parser.add_argument_group("screenings (box-office exports)")
    group.add_argument(
        "--cinema",
        help="Name of the cinema record (kind cinema) whose export it is; without it, the "
        "organization itself is the cinema.",
    )
    group.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help=f"Which column holds a field ({', '.join(FIELDS)}); remembered for the cinema.",
    )
    group.add_argument(
        "--accept-close-matches",
        action="store_true",
        help="Use the closest film for uncertain matches instead of stopping.",
    )


def _chosen_columns(pairs: list[str]) -> dict[str, str]:
    chosen = {}
    for pair in pairs:
        name, equals, header = pair.partition("=")
        if not equals or name.strip() not in FIELDS:
            raise CommandError(
                _("--map takes field=Header, the field one of: %(fields)s.")
                % {"fields": ", ".join(FIELDS)}
            )
        chosen[name.strip()] = header.strip()
    return chosen


def import_file(command, *, site, path, data: bytes, options: dict) -> None:
    try:
        cinema = find_cinema(site, options["cinema"]) if options.get("cinema") else None
        report = boxoffice_import(
            site=site,
            data=data,
            filename=path.name,
            cinema=cinema,
            columns=_chosen_columns(options.get("map") or []) or None,
            accept_close_matches=options.get("accept_close_matches", False),
            dry_run=options.get("dry_run", False),
        )
    except BoxOfficeError as error:
        raise CommandError(str(error)) from error
    out = command.stdout
    if report.ignored_columns:
        out.write(
            _("Columns ignored: %(columns)s") % {"columns": ", ".join(report.ignored_columns)}
        )
    for text, why in report.version_notes:
        out.write(_("Version “%(version)s”: %(why)s.") % {"version": text, "why": why})
    for title in report.drafts:
        out.write(_("New draft film: %(title)s") % {"title": title})
    if not report.ok:
        lines = [
            _("Line %(line)s: %(message)s") % {"line": e.line, "message": e.message}
            if e.line
            else e.message
            for e in report.errors
        ]
        raise CommandError(_("Nothing was imported.") + "\n" + "\n".join(lines))
    if report.held:
        lines = [
            _("“%(title)s” (lines %(lines)s): %(reason)s Candidates: %(candidates)s")
            % {
                "title": held.title or held.visa,
                "lines": ", ".join(map(str, held.lines)),
                "reason": held.reason,
                "candidates": "; ".join(label for _pk, label in held.candidates),
            }
            for held in report.held
        ]
        raise CommandError(
            _(
                "Nothing was imported: these films are uncertain. Correct the file, or run again "
                "with --accept-close-matches to use the first candidate of each."
            )
            + "\n"
            + "\n".join(lines)
        )
    summary = _("New screenings: %(new)s; updated: %(updated)s; unchanged: %(unchanged)s.") % {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if report.dry_run:
        summary = _("Dry run, nothing written: ") + summary
    out.write(command.style.SUCCESS(summary))
