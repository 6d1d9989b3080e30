from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from skills.models import Framework, Skill
from tests.skills.framework_versions import VERSIONS

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


@pytest.mark.parametrize("fmt", sorted(VERSIONS))
def test_reimport_from_the_command_line_keeps_the_framework_name(tmp_path, capsys, fmt):
    versions = VERSIONS[fmt]
    path = tmp_path / versions.filename
    path.write_bytes(versions.first)
    call_command("import_skills", str(path), "--name", versions.first_name)
    framework = Framework.objects.get()

    path.write_bytes(versions.second)
    call_command("import_skills", str(path), "--framework", framework.code, "--name", versions.first_name)

    framework.refresh_from_db()
    assert framework.name == versions.name
    assert f"Imported {versions.name} ({framework.code})" in capsys.readouterr().out
    assert framework.skills.filter(name="Beta renamed").exists()


def test_dry_run_says_the_encoding_and_lists_the_warnings(capsys):
    call_command("import_skills", str(FILES / "esco_v1_en_us_excerpt.csv"), "--dry-run")
    out = capsys.readouterr().out

    assert "Warning: Skipped 2 concepts with no preferredLabel and no altLabels (rows 4 and 6)" in out
    assert "Would change ESCO skills (esco), esco format, read as UTF-8 text:" in out
    assert "     3 to add" in out

    call_command("import_skills", str(FILES / "sfia9_cp1252_excerpt.csv"), "--dry-run")
    assert "sfia format, read as Windows-1252 text:" in capsys.readouterr().out


def test_esco_reimport_without_broader_relations_warns_that_it_flattens_the_tree(capsys):
    skills, broader = FILES / "esco_skills.csv", FILES / "esco_broader.csv"
    call_command("import_skills", str(skills), "--broader", str(broader))

    call_command("import_skills", str(skills), "--dry-run")

    assert "Warning: The file gives no skill a parent, so this import flattens the framework's tree" in (
        capsys.readouterr().out
    )
