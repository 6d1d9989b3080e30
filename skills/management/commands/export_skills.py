from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skills.exporters import FORMATS, export_framework
from skills.models import Framework


class Command(BaseCommand):
    help = "Exports a skills framework as the plain spreadsheet (csv, xlsx) or as Moodle's competency CSV."

    def add_arguments(self, parser) -> None:
        parser.add_argument("framework", help="The framework's code.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("-o", "--output", type=Path, help="Default: <code>.<format> here.")

    def handle(self, *args, framework: str, format: str, output: Path | None, **options) -> None:
        found = Framework.objects.filter(code=framework).first()
        if found is None:
            codes = ", ".join(Framework.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"No framework has the code {framework!r} (known: {codes}).")
        content, _, filename = export_framework(found, format)
        output = output or Path(filename)
        output.write_bytes(content)
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes).")
