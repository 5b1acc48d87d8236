"""Regenerate the committed schema.org table from the reference release file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from structured_data.vocabulary import (
    DEFAULT_SOURCE,
    TABLE_PATH,
    build_table,
    dump_table,
    write_table,
)


class Command(BaseCommand):
    help = (
        "Derive structured_data/data/schemaorg-30.0.json from the schema.org JSON-LD release "
        "(default: the copy committed in structured_data/data/reference/)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            nargs="?",
            default=str(DEFAULT_SOURCE),
            help="Path to schemaorg-current-https.jsonld.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the committed table differs from the source.",
        )

    def handle(self, *args, source, check=False, **options):
        source = Path(source)
        if not source.is_file():
            raise CommandError(
                f"The schema.org reference file {source} does not exist. Pass the path of a "
                "schemaorg-current-https.jsonld release file."
            )
        if check:
            current = TABLE_PATH.read_text(encoding="utf-8") if TABLE_PATH.exists() else ""
            if current != dump_table(build_table(source)):
                raise CommandError(
                    f"{TABLE_PATH} is out of date; run build_schemaorg_table to regenerate it."
                )
            self.stdout.write(self.style.SUCCESS(f"{TABLE_PATH} is up to date."))
            return
        target = write_table(source)
        table = build_table(source)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {target} ({len(table['types'])} types, {target.stat().st_size} bytes)."
            )
        )
