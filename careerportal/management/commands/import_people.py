from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careerportal.directory import COLUMNS, directory_import, parse_people_file


class Command(BaseCommand):
    help = (
        "Loads the company directory from the HR system's export (CSV or XLSX with the columns "
        f"{', '.join(COLUMNS)}): all or nothing; people the file no longer lists are marked as left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        with file.open("rb") as upload:
            plan = directory_import(parsed=parse_people_file(upload), dry_run=dry_run)
        if not plan.ok:
            problems = "\n".join(f"  {problem}" for problem in plan.problems)
            raise CommandError(f"Nothing was imported: {len(plan.problems)} problem(s).\n{problems}")
        verb = "Would change" if dry_run else "Imported"
        read_as = f", read as {plan.encoding} text" if plan.encoding else ""
        self.stdout.write(f"{verb} the directory from {file.name}{read_as}: {plan.changes} changed.")
        for label, count, examples in plan.sections():
            self.stdout.write(f"  {count:>6} {label}" + (f": {', '.join(examples)}" if examples else ""))
        self.stdout.write(f"  {plan.unchanged:>6} unchanged")
