from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from skills.importers import FORMATS, parse_framework_file
from skills.services import framework_import


class Command(BaseCommand):
    help = (
        "Imports a skills framework file (Moodle CSV, ESCO, SFIA, O*NET or the plain spreadsheet), or re-imports a new "
        "version of it: all or nothing, matching skills by code."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(FORMATS), help="Default: tell from the file's columns.")
        parser.add_argument("--framework", default="", help="Code of the framework to create or update.")
        parser.add_argument("--name", default="", help="Name of a new framework, if the file does not say.")
        parser.add_argument("--broader", type=Path, help="ESCO's broaderRelationsSkillPillar_en.csv (the tree).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, file: Path, format, framework, name, broader, dry_run, **options) -> None:
        with file.open("rb") as upload, broader.open("rb") if broader else nullcontext() as broader_file:
            parsed = parse_framework_file(
                upload,
                filename=file.name,
                format=format,
                broader_file=broader_file,
                max_bytes=settings.PORTAL_MAX_FRAMEWORK_BYTES,
            )
            report = framework_import(
                parsed=parsed, framework_code=framework, framework_name=name, default_name=file.stem, dry_run=dry_run
            )
        for note in report.notes:
            self.stdout.write(note)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        if not report.ok:
            problems = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(f"Nothing was imported: {len(report.problems)} problem(s).\n{problems}")
        verb = "Would change" if dry_run else "Imported"
        read_as = f", read as {report.encoding} text" if report.encoding else ""
        self.stdout.write(f"{verb} {report.framework_name} ({report.framework_code}), {parsed.format} format{read_as}:")
        for change in report.framework_changes:
            self.stdout.write(f"  {change}")
        for label, count, examples in report.sections():
            self.stdout.write(f"  {count:>6} {label}" + (f": {', '.join(examples)}" if examples else ""))
        self.stdout.write(f"  {report.unchanged:>6} unchanged")
