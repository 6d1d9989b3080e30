from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from skills.models import Framework, Skill

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


def test_import_command_dry_run_then_import_then_export(tmp_path, capsys):
    example = FILES / "plain_example.csv"
    call_command("import_skills", str(example), "--dry-run")
    assert "Would change" in capsys.readouterr().out
    assert not Framework.objects.exists()

    call_command("import_skills", str(example), "--name", "Acme skills")
    framework = Framework.objects.get(name="Acme skills")
    assert framework.skills.filter(kind=Skill.Kind.STRENGTH).count() == 2

    output = tmp_path / "acme.csv"
    call_command("export_skills", framework.code, "--format", "csv", "-o", str(output))
    assert output.read_bytes().startswith(b"\xef\xbb\xbfcode,name,kind,parent code")


def test_import_command_with_a_bad_file_fails_loudly_and_changes_nothing():
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_skills", str(FILES / "cycle.csv"))
    assert not Skill.objects.exists()


def test_export_command_names_known_frameworks_when_the_code_is_wrong():
    Framework.objects.create(code="acme", name="Acme")
    with pytest.raises(CommandError, match="known: acme"):
        call_command("export_skills", "nope")


def test_dry_run_shows_a_change_to_the_moodle_scale_alone(tmp_path, capsys):
    moodle = FILES / "moodle_current.csv"
    call_command("import_skills", str(moodle))
    changed = tmp_path / "moodle.csv"
    changed.write_bytes(
        moodle.read_bytes().replace(b'"Aware,Practising,Skilled,Expert"', b'"Aware,Practising,Skilled,Master"')
    )
    capsys.readouterr()

    call_command("import_skills", str(changed), "--dry-run")

    out = capsys.readouterr().out
    assert "Level 4: “Expert” becomes “Master”" in out
    assert Framework.objects.get().levels.get(level=4).name == "Expert"
