import codecs
import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from careerportal.spreadsheets import MAX_XLSX_EXPANDED_BYTES
from skills import importers
from skills.exporters import to_csv
from skills.importers import FORMATS, ParsedFramework, Problem, parse_framework_file

FILES = Path(__file__).parent / "files"
ESCO = "http://data.europa.eu/esco/skill/"


def parse(name: str, **kwargs) -> ParsedFramework:
    kwargs.setdefault("filename", name)
    with (FILES / name).open("rb") as file:
        return parse_framework_file(file, **kwargs)


def parse_bytes(content: bytes, **kwargs) -> ParsedFramework:
    return parse_framework_file(io.BytesIO(content), **kwargs)


def parse_text(text: str, **kwargs) -> ParsedFramework:
    return parse_bytes(text.encode(), **kwargs)


def messages(result: ParsedFramework) -> list[str]:
    return [str(problem) for problem in result.problems]


# Moodle


def test_moodle_framework_row_gives_the_framework_code_name_description_and_scale():
    result = parse("moodle_current.csv")

    assert result.ok, messages(result)
    assert result.format == "moodle"
    assert (result.code, result.name) == ("ENG-LADDER", "Engineering ladder")
    assert result.description == "How our engineers grow.\n\nReviewed every year by the guild."
    assert [(level.level, level.name) for level in result.scale] == [
        (1, "Aware"),
        (2, "Practising"),
        (3, "Skilled"),
        (4, "Expert"),
    ]


def test_moodle_competencies_keep_file_order_spreadsheet_rows_and_a_three_level_tree():
    result = parse("moodle_current.csv")

    # Row 3 spans three lines of the file; ENG-DEL-TEST names a parent that comes later. Rows that hold other
    # competencies group them: they become categories.
    assert [(skill.row, skill.code, skill.name, skill.kind, skill.parent_code) for skill in result.skills] == [
        (3, "ENG-DEL-TEST", "Automated testing", "category", "ENG-DEL"),
        (4, "ENG-DEL-TEST-CONTRACT", "Contract testing", "skill", "ENG-DEL-TEST"),
        (5, "ENG-DEL", "Delivery", "category", ""),
        (6, "ENG-COL", "Collaboration", "category", ""),
        (7, "ENG-COL-REVIEW", "Code review", "skill", "ENG-COL"),
    ]
    assert result.notes == [
        "Rows that hold other competencies became categories, which stories are not tagged with: rows 3, 5 and 6.",
        "Cross-referenced competencies were not imported (1 row had them).",
    ]


def test_moodle_html_descriptions_become_plain_text_keeping_paragraphs_and_list_items():
    descriptions = {skill.code: skill.description for skill in parse("moodle_current.csv").skills}

    assert descriptions["ENG-DEL-TEST"] == (
        "Writes tests that fail for the right reasons.\n\nUnit tests\nContract tests"
    )
    assert descriptions["ENG-DEL"] == "Shipping & running software safely."
    assert descriptions["ENG-COL-REVIEW"] == "Gives kind, specific comments.\nReplies within a day."
    # Description format 2 is plain text: left exactly as written.
    assert descriptions["ENG-DEL-TEST-CONTRACT"] == "Agrees API contracts & checks them in CI."


def test_moodle_html_loses_scripts_and_decodes_entities():
    result = parse_text(
        "ID number,Short name,Description,Description format\n"
        'C1,Safety,"<p>Fish &amp; chips&nbsp;&lt;3</p><script>alert(1)</script><p>Second</p>",1\n'
    )

    assert result.skills[0].description == "Fish & chips <3\n\nSecond"


def test_moodle_legacy_spellings_and_semicolons_are_recognised():
    result = parse("moodle_legacy.csv")

    assert result.ok, messages(result)
    assert result.format == "moodle"
    assert [(skill.row, skill.code, skill.name, skill.parent_code) for skill in result.skills] == [
        (2, "RES", "Research", ""),
        (3, "RES-INT", "Interviewing", "RES"),
        (4, "RES-SYN", "Synthesis", "RES"),
    ]
    assert result.skills[0].description == "Plans research & shares insight."
    assert result.skills[2].description == "Turns notes into findings; names the evidence."


def test_moodle_file_without_a_framework_row_is_accepted_with_a_note():
    result = parse("moodle_legacy.csv")

    assert result.ok
    assert (result.code, result.name, result.scale) == ("", "", [])
    assert "The file has no framework row (Is framework = 1), so the framework has no code or name." in result.notes


def test_moodle_framework_row_may_say_true_and_a_second_framework_row_is_a_problem():
    result = parse_text(
        'ID number,Short name,Is framework,Scale values\nFW,Framework,TRUE,"Low, High"\n'
        "FW2,Other framework,yes,\nC1,Competency,0,\n"
    )

    assert (result.code, result.name) == ("FW", "Framework")
    assert [level.name for level in result.scale] == ["Low", "High"]
    assert [skill.code for skill in result.skills] == ["C1"]
    assert messages(result) == ["Row 3: only one row can be the framework (Is framework = 1); row 2 already is."]


# ESCO


def test_esco_skills_take_uri_preferred_label_alternative_labels_and_description():
    result = parse("esco_skills.csv")

    assert result.ok, messages(result)
    # ESCO's file does not name the framework: "ESCO skills" names a new one, and a re-import keeps its name.
    assert (result.format, result.code, result.name, result.default_name) == ("esco", "esco", "", "ESCO skills")
    first = result.skills[0]
    assert (first.row, first.code, first.name, first.kind) == (
        2,
        f"{ESCO}demo-0001",
        "manage software projects",
        "skill",
    )
    # Split on new lines, blanks dropped, the repeated label kept once.
    assert first.alternative_labels == ["run software projects", "lead software projects"]
    assert first.description == "Plan, staff and steer software projects from start to handover."
    # No description: the definition stands in.
    assert result.skills[1].description == "Judge how much time and effort pieces of work will take."
    assert [skill.row for skill in result.skills] == [2, 3, 4, 5, 6]
    assert all(skill.parent_code == "" for skill in result.skills)


def test_esco_broader_relations_between_skills_in_the_file_form_the_tree():
    with (FILES / "esco_skills.csv").open("rb") as skills, (FILES / "esco_broader.csv").open("rb") as broader:
        result = parse_framework_file(skills, broader_file=broader)

    assert result.ok, messages(result)
    assert {skill.code.removeprefix(ESCO): skill.parent_code.removeprefix(ESCO) for skill in result.skills} == {
        "demo-0001": "",
        "demo-0002": "demo-0001",
        "demo-0003": "demo-0001",  # Its second broader skill, demo-0004, is ignored.
        "demo-0004": "",
        "demo-0005": "",
    }
    assert result.notes == [
        "Ignored 4 broader relations pointing outside the file (for example to skill groups).",
        "Ignored 1 further broader relation between skills: a skill takes the first broader skill listed "
        "for it as its parent.",
    ]


def test_esco_broader_file_without_its_columns_is_a_problem():
    with (FILES / "esco_skills.csv").open("rb") as skills:
        result = parse_framework_file(skills, broader_file=io.BytesIO(b"child,parent\na,b\n"))

    assert messages(result) == [
        "Broader relations file: The file needs conceptUri and broaderUri columns. Columns found: child, parent."
    ]


def test_broader_file_is_ignored_for_formats_other_than_esco():
    with (FILES / "esco_broader.csv").open("rb") as broader:
        result = parse("plain_example.csv", broader_file=broader)

    assert result.ok
    assert result.notes == ["The broader relations file was ignored: it is only used with ESCO."]


def test_esco_file_with_fourteen_thousand_skills_parses_with_its_tree(tmp_path):
    skills_path, broader_path = tmp_path / "skills_en.csv", tmp_path / "broader.csv"
    with skills_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(["conceptType", "conceptUri", "preferredLabel", "altLabels", "description"])
        for number in range(14_000):
            labels = f"alt {number}\nother {number}"
            description = f"Does thing number {number} well, reliably and with care for the people involved."
            writer.writerow(["KnowledgeSkillCompetence", f"{ESCO}{number}", f"skill {number}", labels, description])
    with broader_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["conceptType", "conceptUri", "broaderType", "broaderUri"])
        for number in range(14_000):
            writer.writerow(["KnowledgeSkillCompetence", f"{ESCO}{number}", "SkillGroup", f"{ESCO}group-1"])
            if number >= 140:  # Skills 0-139 are the roots; the rest have two broader skills each.
                writer.writerow(["KnowledgeSkillCompetence", f"{ESCO}{number}", "x", f"{ESCO}{number % 140}"])
                writer.writerow(["KnowledgeSkillCompetence", f"{ESCO}{number}", "x", f"{ESCO}{number % 7}"])

    with skills_path.open("rb") as skills, broader_path.open("rb") as broader:
        result = parse_framework_file(skills, broader_file=broader)

    assert result.ok, messages(result)[:3]
    assert len(result.skills) == 14_000
    assert sum(1 for skill in result.skills if not skill.parent_code) == 140
    last = result.skills[-1]
    assert (last.row, last.code, last.parent_code) == (14_001, f"{ESCO}13999", f"{ESCO}{13_999 % 140}")
    assert last.alternative_labels == ["alt 13999", "other 13999"]
    assert result.notes == [
        "Ignored 14,000 broader relations pointing outside the file (for example to skill groups).",
        "Ignored 13,860 further broader relations between skills: a skill takes the first broader skill "
        "listed for it as its parent.",
    ]


# SFIA


def test_sfia_categories_and_subcategories_become_category_nodes_above_the_skills():
    result = parse("sfia.csv")

    assert result.ok, messages(result)
    assert (result.format, result.code, result.default_name) == ("sfia", "sfia", "SFIA")
    assert [(skill.row, skill.code, skill.kind, skill.parent_code) for skill in result.skills] == [
        (2, "sfia-cat-strategy-and-architecture", "category", ""),
        (
            2,
            "sfia-sub-strategy-and-architecture--information-strategy",
            "category",
            "sfia-cat-strategy-and-architecture",
        ),
        (2, "INST", "skill", "sfia-sub-strategy-and-architecture--information-strategy"),
        (
            3,
            "sfia-sub-strategy-and-architecture--advice-and-guidance",
            "category",
            "sfia-cat-strategy-and-architecture",
        ),
        (3, "ADVS", "skill", "sfia-sub-strategy-and-architecture--advice-and-guidance"),
        (4, "sfia-cat-development-and-implementation", "category", ""),
        (
            4,
            "sfia-sub-development-and-implementation--systems-development",
            "category",
            "sfia-cat-development-and-implementation",
        ),
        (4, "PROG", "skill", "sfia-sub-development-and-implementation--systems-development"),
        (5, "TEST", "skill", "sfia-sub-development-and-implementation--systems-development"),
    ]
    assert [skill.name for skill in result.skills][:2] == ["Strategy and architecture", "Information strategy"]


def test_sfia_skills_carry_level_descriptions_and_guidance_notes():
    skills = {skill.code: skill for skill in parse("sfia.csv").skills}

    assert skills["INST"].level_descriptors == {
        "3": "Keeps records tidy and labels them as the team agreed.",
        "4": "Sets up how a team labels and keeps its information.",
        "5": "Decides how information is governed across a department.",
    }
    assert skills["TEST"].level_descriptors == {"1": "Runs tests from a script."}
    assert skills["ADVS"].description == (
        "Gives expert advice on a defined subject.\n\nAdvice may be formal or informal."
    )
    assert skills["PROG"].description == "Designs and writes software to meet a specification."


def test_sfia_scale_has_the_seven_sfia_levels_and_the_version_comes_from_the_filename():
    result = parse("sfia.csv", filename="sfia-9_en_skills.csv")

    assert result.default_name == "SFIA 9"
    assert [(level.level, level.name) for level in result.scale] == [
        (1, "Follow"),
        (2, "Assist"),
        (3, "Apply"),
        (4, "Enable"),
        (5, "Ensure, advise"),
        (6, "Initiate, influence"),
        (7, "Set strategy, inspire, mobilise"),
    ]


def test_sfia_tolerates_other_column_spellings_and_a_skill_without_subcategory():
    result = parse_text(
        "Level 1,Code,Skill,Category,Skill description,Level 1 description\nx,ABCD,Auditing,Quality,Checks,Samples\n"
    )

    assert result.ok, messages(result)
    assert [(skill.code, skill.parent_code) for skill in result.skills] == [
        ("sfia-cat-quality", ""),
        ("ABCD", "sfia-cat-quality"),
    ]
    assert (result.skills[1].description, result.skills[1].level_descriptors) == ("Checks", {"1": "Samples"})


# Real files as their publishers ship them. Each excerpt keeps the published file's exact bytes (encoding, BOM,
# quoting, line endings, multi-line cells) for a few of its records:
# - sfia9_cp1252_excerpt.csv: SFIA 9's skills CSV as downloaded from sfia-online.org
#   (sfia-9_current-standard_en_US_250129.csv, Windows-1252), its header and first two skills;
# - esco_v1_en_us_excerpt.csv: ESCO v1.0 skills_en-us.csv, its header, two skills, two of its 13 concepts without a
#   preferredLabel (rows 328 and 1245 of the full file) and "Ruby", whose altLabels span lines;
# - onet_content_model_excerpt.txt: O*NET's "Content Model Reference.txt" (tab-separated), its first 20 lines;
# - moodle_oecd_excerpt.csv: Moodle's OECD example framework (admin/tool/lpimportcsv/tests/fixtures/example.csv),
#   its framework row and the competencies down one branch.


def test_sfia9_csv_as_downloaded_is_read_as_windows_1252():
    result = parse("sfia9_cp1252_excerpt.csv", filename="sfia-9_current-standard_en_US_250129.csv")

    assert result.ok, messages(result)
    assert (result.format, result.encoding, result.default_name) == ("sfia", "Windows-1252", "SFIA 9")
    skills = [skill for skill in result.skills if skill.kind == "skill"]
    # Each record spans ten or more lines; rows are the spreadsheet's.
    assert [(skill.row, skill.code, skill.name) for skill in skills] == [
        (2, "ITSP", "Strategic planning"),
        (3, "ISCO", "Information systems coordination"),
    ]
    assert "large organization’s with" in skills[1].description  # byte 0x92, Windows-1252's right quote
    assert sorted(skills[0].level_descriptors) == ["4", "5", "6", "7"]


def test_esco_v1_concepts_without_a_label_are_skipped_with_a_warning():
    result = parse("esco_v1_en_us_excerpt.csv")

    assert result.ok, messages(result)
    assert result.encoding == "UTF-8"
    assert [(skill.row, skill.name) for skill in result.skills] == [
        (2, "manage musical staff"),
        (3, "supervise correctional procedures"),
        (5, "Ruby"),
    ]
    assert result.skills[2].alternative_labels == ["Ruby-gnome2", "Ruby lang", "Ruby prog"]
    assert result.warnings == [
        "Skipped 2 concepts with no preferredLabel and no altLabels (rows 4 and 6): there is no name to show for them."
    ]


def test_esco_quirks_that_lose_nothing_warn_and_real_errors_still_refuse():
    header = "conceptUri,preferredLabel,altLabels,hiddenLabels,status\n"
    quirks = header + (
        f"{ESCO}1,plan,,,released\n"
        f'{ESCO}2,,"organise\nschedule",,released\n'
        f"{ESCO}3,old thing,,,obsolete\n"
        f"{ESCO}4,sing,,sign,released\n"
        f"{ESCO}1,plan,,,released\n"
    )

    result = parse_text(quirks)

    assert result.ok, messages(result)
    assert [(skill.code, skill.name, skill.alternative_labels) for skill in result.skills] == [
        (f"{ESCO}1", "plan", []),
        (f"{ESCO}2", "organise", ["schedule"]),
        (f"{ESCO}4", "sing", []),
    ]
    assert result.warnings == [
        "Concepts with no preferredLabel are named after their first altLabel (row 3).",
        "Skipped 1 obsolete concept (row 4).",
        "hiddenLabels were not imported (row 5): ESCO keeps them as search terms, not names to show.",
        "Skipped 1 row repeating an earlier row exactly (row 6).",
    ]
    refused = parse_text(header + f"{ESCO}1,plan,,,released\n{ESCO}1,plan ahead,,,released\n")
    assert messages(refused) == [
        f"Row 3: conceptUri '{ESCO}1' is also used on row 2, with different content. Give each row its own conceptUri."
    ]


def test_onet_content_model_reference_takes_its_tree_from_the_dotted_ids():
    result = parse("onet_content_model_excerpt.txt")

    assert result.ok, messages(result)
    assert (result.format, result.encoding, result.code, result.default_name) == (
        "onet",
        "UTF-8",
        "onet",
        "O*NET content model",
    )
    skills = {skill.code: skill for skill in result.skills}
    assert [(code, skills[code].kind, skills[code].parent_code) for code in ("1", "1.A", "1.A.1.a", "1.A.1.a.1")] == [
        ("1", "category", ""),
        ("1.A", "category", "1"),
        ("1.A.1.a", "category", "1.A.1"),
        ("1.A.1.a.1", "skill", "1.A.1.a"),
    ]
    assert skills["1.A.1.a.1"].name == "Oral Comprehension"
    assert skills["1"].description == ""  # O*NET repeats a heading's name as its description
    assert skills["1.A"].description == "Enduring attributes of the individual that influence performance"


def test_onet_workbook_is_detected_and_a_missing_parent_element_is_a_problem(tmp_path):
    workbook = openpyxl.Workbook()
    for row in (
        ["Element ID", "Element Name", "Description"],
        ["2", "Worker Requirements", "x"],
        ["2.A.1", "Content", "y"],
    ):
        workbook.active.append(row)
    path = tmp_path / "Content Model Reference.xlsx"
    workbook.save(path)

    with path.open("rb") as file:
        result = parse_framework_file(file, filename=path.name)

    assert (result.format, result.encoding) == ("onet", "")
    assert messages(result) == [
        "Row 3: parent Element ID '2.A' does not match the Element ID of any row; correct it or leave it empty."
    ]


def test_moodle_oecd_example_grouping_rows_become_categories():
    result = parse("moodle_oecd_excerpt.csv")

    assert result.ok, messages(result)
    assert (result.code, result.name) == ("OECD-CORE", "OECD")
    assert [level.name for level in result.scale] == ["Not yet competent", "Competent"]
    assert [(skill.row, skill.code, skill.kind) for skill in result.skills] == [
        (3, "levels", "category"),
        (4, "level-1", "skill"),
        (5, "level-2", "skill"),
        (6, "competencies", "category"),
        (7, "delivery", "category"),
        (8, "analytical-thinking", "category"),
        (9, "DR-AT1", "skill"),
        (10, "DR-AT-2", "skill"),
    ]


# Plain spreadsheet


def test_plain_example_has_categories_skills_and_strengths_in_a_tree():
    result = parse("plain_example.csv")

    assert result.ok, messages(result)
    assert (result.format, result.code, result.name, result.scale) == ("plain", "", "", [])
    kinds = [skill.kind for skill in result.skills]
    assert (kinds.count("category"), kinds.count("skill"), kinds.count("strength")) == (2, 8, 2)
    coaching = result.skills[1]
    assert (coaching.row, coaching.code, coaching.name, coaching.parent_code) == (
        3,
        "PEOPLE-COACH",
        "Coaching",
        "PEOPLE",
    )
    assert coaching.alternative_labels == ["Mentoring", "Developing others"]
    assert coaching.level_descriptors == {
        "1": "Shares what they know when asked.",
        "2": "Coaches one or two colleagues regularly.",
        "3": "Builds coaching into how the team works.",
    }
    assert result.skills[2].description == "Gives honest, specific and kind feedback."


def test_plain_xlsx_is_read_from_the_first_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Name", "Kind", "Parent code", "Description", "Alternative labels", "Level 1"])
    sheet.append([101, "Listening", "Skill", "COMMS", "Hears people out.", "Active listening\nAttentive", "Waits."])
    sheet.append([])
    sheet.append(["COMMS", "Communication", "CATEGORY"])
    sheet.append(["'=HYPERLINK(1)", "  Calm under pressure ", "strength"])
    workbook.create_sheet("Notes").append(["code", "name"])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)

    with path.open("rb") as file:
        result = parse_framework_file(file, filename="plain.xlsx")

    assert result.ok, messages(result)
    assert result.format == "plain"
    assert [(skill.row, skill.code, skill.name, skill.kind, skill.parent_code) for skill in result.skills] == [
        (2, "101", "Listening", "skill", "COMMS"),
        (4, "COMMS", "Communication", "category", ""),
        (5, "=HYPERLINK(1)", "Calm under pressure", "strength", ""),
    ]
    assert result.skills[0].alternative_labels == ["Active listening", "Attentive"]
    assert result.skills[0].level_descriptors == {"1": "Waits."}


def test_plain_alternative_labels_split_on_new_lines_and_semicolons_and_kind_defaults_to_skill():
    result = parse_text('code,name,kind,alternative labels\nA,Alpha,,"One; Two\nThree;;One"\n')

    assert (result.skills[0].kind, result.skills[0].alternative_labels) == ("skill", ["One", "Two", "Three"])


def test_plain_kind_outside_skill_strength_and_category_is_a_problem():
    result = parse_text("code,name,kind\nA,Alpha,Strength\nB,Beta,Skil\n")

    assert result.skills[0].kind == "strength"
    assert messages(result) == [
        "Row 3: kind 'Skil' is not one of skill, strength or category (leave it empty for skill)."
    ]


def test_plain_framework_and_level_rows_give_the_framework_and_its_scale():
    result = parse_text(
        "code,name,kind,description,level 1,level 12\n"
        'acme,"Acme, skills",Framework,"How we grow, yearly.",,\n'
        '2,"Ensure, advise",level,Advises.,,\n'
        "1,Follow,level,,,\n"
        "A,Alpha,,,Waits.,Leads.\n"
    )

    assert result.ok, messages(result)
    assert (result.code, result.name, result.description) == ("acme", "Acme, skills", "How we grow, yearly.")
    assert [(level.level, level.name, level.description) for level in result.scale] == [
        (1, "Follow", ""),
        (2, "Ensure, advise", "Advises."),
    ]
    assert [(skill.code, skill.level_descriptors) for skill in result.skills] == [
        ("A", {"1": "Waits.", "12": "Leads."})
    ]


def test_plain_level_rows_need_a_number_a_name_and_one_row_each():
    result = parse_text(
        "code,name,kind\nacme,Acme,framework\nacme2,Again,framework\none,First,level\n0,Zero,level\n"
        "1,,level\n1,Again,level\nA,Alpha,skill\n"
    )

    assert messages(result) == [
        "Row 3: only one row can be of kind framework; row 2 already is.",
        "Row 4: a level's code is its number, 1 (the lowest) to 99, not 'one'.",
        "Row 5: a level's code is its number, 1 (the lowest) to 99, not '0'.",
        "Row 6: level 1 has no name; fill it in or delete the row.",
        "Row 7: level 1 is on another row too; give each level one row.",
    ]


def test_moodle_scale_configuration_names_keep_commas_and_extra_columns_give_kinds_labels_and_descriptors():
    result = parse_text(
        "Parent ID number,ID number,Short name,Scale values,Scale configuration,Is framework,Kind,"
        "Alternative labels,Level 2\n"
        ',F,Framework,"Follow,Ensure; advise","[{""scaleid"":""0""},{""id"":1,""name"":""Follow""},'
        '{""id"":2,""name"":""Ensure, advise"",""description"":""Advises.""}]",1,,,\n'
        ',S,Resilience,,,0,strength,"Grit\nStamina",Recovers.\n'
    )

    assert result.ok, messages(result)
    assert [(level.level, level.name, level.description) for level in result.scale] == [
        (1, "Follow", ""),
        (2, "Ensure, advise", "Advises."),
    ]
    [resilience] = result.skills
    assert (resilience.kind, resilience.alternative_labels, resilience.level_descriptors) == (
        "strength",
        ["Grit", "Stamina"],
        {"2": "Recovers."},
    )


def test_formula_neutralised_cells_round_trip_to_their_raw_text():
    result = parse("formula_neutralised.csv")

    assert result.ok, messages(result)
    neutralised, plain = result.skills
    assert (neutralised.code, neutralised.name, neutralised.description, neutralised.alternative_labels) == (
        "=SUM(A1:A2)",
        "+Plus mindset",
        "-minus signs are fine here",
        ["@mentions"],
    )
    # An apostrophe before anything else is real text.
    assert (plain.code, plain.name, plain.description) == ("'A", "It's fine", "'Quoted' stays as it is")


def test_tab_delimited_file_is_sniffed_from_the_header():
    result = parse_text("code\tname\tdescription\nA\tAlpha\tHas, commas; and semicolons\n")

    assert result.ok, messages(result)
    assert (result.skills[0].code, result.skills[0].description) == ("A", "Has, commas; and semicolons")


def test_utf8_with_bom_gives_the_same_result_as_without():
    content = (FILES / "plain_example.csv").read_bytes()

    with_bom = parse_bytes(codecs.BOM_UTF8 + content)

    assert with_bom.ok
    assert with_bom == parse_bytes(content)
    assert with_bom.skills[0].code == "PEOPLE"
    # The byte order mark is not part of the first column's title.
    assert messages(parse_bytes(codecs.BOM_UTF8 + b"title,summary\nX,Y\n"))[0].startswith(
        "Could not tell the format from the columns (title, summary);"
    )


# Files that cannot be read


def test_windows_1252_file_is_read_as_such_and_says_so():
    content = "code,name,description\nA,Crème brûlée,“Smart” quotes – and a dash\n".encode("cp1252")

    result = parse_bytes(content)

    assert result.ok, messages(result)
    assert result.encoding == "Windows-1252"
    assert (result.skills[0].name, result.skills[0].description) == ("Crème brûlée", "“Smart” quotes – and a dash")


def test_utf8_is_preferred_and_named_with_or_without_a_bom():
    content = "code,name\nA,Crème brûlée\n".encode()

    assert parse_bytes(content).encoding == "UTF-8"
    assert parse_bytes(codecs.BOM_UTF8 + content).encoding == "UTF-8"
    assert parse_bytes(content).skills[0].name == "Crème brûlée"


def test_utf8_mixed_with_another_encoding_is_refused_naming_the_row():
    rows = "".join(f"C{number},Crème {number}\n" for number in range(2, 3000))
    content = ("code,name\n" + rows).encode() + "X,Señor\n".encode("latin-1")

    result = parse_bytes(content)

    assert messages(result) == [
        "The file mixes UTF-8 with another encoding: row 3000 is not UTF-8. Save it as 'CSV UTF-8' and try again."
    ]
    assert result.skills == []


def test_bytes_that_are_neither_utf8_nor_windows_1252_name_their_row_not_their_line():
    content = b'code,name,description\nA,Alpha,"two\nlines"\nB,Beta\x81,x\n'

    assert messages(parse_bytes(content)) == [
        "The file is not UTF-8 or Windows-1252 text: row 3 is neither. Save it as 'CSV UTF-8' and try again."
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_read_with_or_without_a_byte_order_mark(codec):
    result = parse_bytes("code\tname\nA\tÉcoute active\nB\tBeta\n".encode(codec))

    assert result.ok, messages(result)
    assert result.encoding == "UTF-16"
    assert [(skill.row, skill.code, skill.name) for skill in result.skills] == [
        (2, "A", "Écoute active"),
        (3, "B", "Beta"),
    ]


def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row():
    content = codecs.BOM_UTF8 + b"sep=;\r\ncode;name;description\r\nA;Alpha;Has, commas\r\nB;;x\r\n"

    result = parse_bytes(content)

    assert result.skills[0].description == "Has, commas"
    assert messages(result) == ["Row 3: name is empty; fill it in or delete the row."]


def test_semicolon_file_is_sniffed_from_the_header():
    result = parse_text("code;name;description\nA;Alpha;Has, commas\n")

    assert (result.skills[0].code, result.skills[0].description) == ("A", "Has, commas")


def test_problems_after_multi_line_cells_name_the_spreadsheet_row():
    content = 'code,name,description\nA,Alpha,"one\ntwo\nthree"\nB,,"four\nfive"\nA,Again,\n'

    assert messages(parse_text(content)) == [
        "Row 3: name is empty; fill it in or delete the row.",
        "Row 4: code 'A' is also used on row 2, with different content. Give each row its own code.",
    ]


@pytest.mark.parametrize(
    ("cell", "imported"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+44 20 7946 0000", "+44 20 7946 0000"),
        ("'-minus", "-minus"),
        ("'@mention", "@mention"),
        ("'\tTabbed", "Tabbed"),
        ("'s-Hertogenbosch office", "'s-Hertogenbosch office"),
        ("'90s retro design", "'90s retro design"),
        ("''=quoted twice", "''=quoted twice"),
    ],
)
def test_only_the_apostrophe_our_exports_add_before_a_formula_start_is_removed(cell, imported):
    result = parse_bytes(to_csv([["code", "name"], ["A", cell]]))

    assert result.skills[0].name == imported


# Caps against hostile files


def test_xlsx_bomb_is_refused_from_its_declared_sizes_before_it_is_opened(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name"])
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    rows = b"<row><c t='inlineStr'><is><t>A</t></is></c></row>" * 20_000  # 1 MB
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
                continue
            with target.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>")
                for _ in range(MAX_XLSX_EXPANDED_BYTES // len(rows) + 1):
                    sheet.write(rows)
                sheet.write(b"</sheetData></worksheet>")
    assert len(bomb.getvalue()) < 1_000_000

    result = parse_bytes(bomb.getvalue(), filename="skills.xlsx")

    assert messages(result) == [
        "The spreadsheet expands to 50.5 MB when opened, over the limit of 50 MB. Save the sheet you import as "
        "CSV (or remove other sheets and formatting) and try again."
    ]


def test_rows_beyond_the_cap_stop_the_reading(monkeypatch):
    monkeypatch.setattr(importers, "MAX_ROWS", 10)
    rows = "".join(f"C{number},Skill {number}\n" for number in range(20))

    assert messages(parse_text("code,name\n" + rows)) == [
        "The file has more than 10 rows, the most one import takes. Remove empty or unneeded rows, or split it, "
        "and try again."
    ]
    assert parse_text("code,name\n" + rows[: rows.index("C9,")]).ok


def test_a_cell_beyond_the_excel_cell_limit_stops_the_reading_with_its_row():
    content = f"code,name,description\nA,Alpha,x\nB,Beta,{'x' * 40_000}\n"

    assert messages(parse_text(content)) == [
        "Row 3 has a cell of 40,000 characters, over the limit of 32,767 (the most Excel holds). Shorten it and "
        "try again."
    ]


def test_png_renamed_to_csv_is_not_a_csv_file(tmp_path):
    path = tmp_path / "skills.csv"
    Image.new("RGB", (4, 4), "white").save(path, format="PNG")

    with path.open("rb") as file:
        result = parse_framework_file(file, filename="skills.csv")

    assert messages(result) == ["This is not a CSV file or an Excel spreadsheet (.xlsx)."]


def test_zip_that_is_not_a_workbook_is_not_a_spreadsheet():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("notes.txt", "hello")

    result = parse_bytes(archive.getvalue(), filename="skills.xlsx")

    assert messages(result) == ["This is not a CSV file or an Excel spreadsheet (.xlsx)."]


def test_legacy_xls_file_asks_for_xlsx_or_csv():
    result = parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), filename="skills.xls")

    assert len(result.problems) == 1
    assert "save it as .xlsx or CSV" in result.problems[0].message


def test_unreadable_csv_names_the_row():
    content = f'code,name,description\nA,Alpha,x\nB,Beta,"{"x" * 200_000}"\n'

    result = parse_text(content)

    assert len(result.problems) == 1
    assert result.problems[0].message.startswith("The file could not be read as CSV at row 3 (")


def test_empty_file_has_no_skills():
    assert messages(parse("empty.csv")) == ["The file has no skills. It is empty."]
    assert messages(parse_text("\n  \n\n")) == ["The file has no skills. It is empty."]


def test_header_only_file_has_no_skills():
    assert messages(parse("header_only.csv")) == ["The file has no skills. It has a header row but no skills under it."]


def test_file_over_the_size_limit_reports_only_that():
    content = b"code,name\n" + b"A,\n" * 420_000

    result = parse_bytes(content, max_bytes=1_048_576)

    assert messages(result) == [
        "The file is 1.2 MB, over the 1 MB limit. Make it smaller (for example by removing columns you do not "
        "need) and try again."
    ]
    assert result.skills == []


def test_file_at_the_size_limit_is_read():
    content = (FILES / "plain_example.csv").read_bytes()

    assert parse_bytes(content, max_bytes=len(content)).ok


def test_a_django_uploaded_file_can_be_parsed_directly():
    upload = SimpleUploadedFile("skills.csv", (FILES / "plain_example.csv").read_bytes())

    result = parse_framework_file(upload, filename=upload.name)

    assert result.ok, messages(result)
    assert len(result.skills) == 12


def test_the_callers_file_is_left_open():
    file = io.BytesIO((FILES / "plain_example.csv").read_bytes())

    parse_framework_file(file)

    assert not file.closed


# Columns and formats


def test_missing_required_columns_are_listed_with_the_columns_found():
    assert messages(parse("missing_columns.csv")) == [
        "The file is missing required columns for Plain spreadsheet (CSV or XLSX): name. "
        "Columns found: code, title, kind."
    ]


def test_unrecognised_columns_ask_for_the_format_to_be_chosen():
    result = parse_text("title,summary\nX,Y\n")

    assert result.format == ""
    assert messages(result) == [
        "Could not tell the format from the columns (title, summary); choose it explicitly: Moodle competency "
        "framework CSV, ESCO skills CSV, SFIA skills CSV, O*NET Content Model Reference (text, CSV or XLSX) or Plain "
        "spreadsheet (CSV or XLSX)."
    ]


def test_explicit_format_overrides_detection():
    result = parse("plain_example.csv", format="sfia")

    assert result.format == "sfia"
    assert messages(result)[0].startswith("The file is missing required columns for SFIA skills CSV: Skill.")


def test_unknown_explicit_format_is_a_problem():
    result = parse("plain_example.csv", format="excel")

    assert messages(result) == [f"Unknown format 'excel'; choose one of: {', '.join(FORMATS)}."]


# Rows and the tree


def test_duplicate_code_names_both_rows():
    assert messages(parse("duplicate_codes.csv")) == [
        "Row 5: code 'COMM-1' is also used on row 3, with different content. Give each row its own code."
    ]


def test_parent_code_missing_from_the_file_is_a_problem():
    assert messages(parse("missing_parent.csv")) == [
        "Row 4: parent code 'DATA-ANALYSIS' does not match the code of any row; correct it or leave it empty."
    ]


def test_three_node_cycle_is_reported_once_with_its_rows():
    assert messages(parse("cycle.csv")) == [
        "Row 3: the parents go round in a loop: 'A' (row 3) has parent 'C' (row 5), which has parent "
        "'B' (row 4), which has parent 'A' (row 3). Change one of these parent codes to break the loop."
    ]


def test_skill_that_is_its_own_parent_is_a_loop():
    assert messages(parse_text("code,name,parent code\nX,Self,X\n")) == [
        "Row 2: 'X' is its own parent. Change its parent code."
    ]


def test_over_long_values_are_problems_on_their_row():
    name, code, label = "N" * 300, "C" * 256, "L" * 256
    description = "D" * 10_001
    result = parse_text(f"code,name,description,alternative labels\nOK,Fine,,\n{code},{name},{description},{label}\n")

    assert messages(result) == [
        "Row 3: code is 256 characters long; the limit is 255. Shorten it.",
        "Row 3: name is 300 characters long; the limit is 255. Shorten it.",
        "Row 3: description is 10,001 characters long; the limit is 10,000. Shorten it.",
        f"Row 3: alternative label '{'L' * 40}…' is 256 characters long; the limit is 255. Shorten it.",
    ]


def test_every_problem_is_found_in_row_order():
    result = parse_text(
        "code,name,kind,parent code\nA,Alpha,,\n,Nameless,,A\nB,,,A\nA,Again,,\nC,Gamma,bogus,Z\n\nD,Delta,,A\n"
    )

    assert messages(result) == [
        "Row 3: code is empty; fill it in or delete the row.",
        "Row 4: name is empty; fill it in or delete the row.",
        "Row 5: code 'A' is also used on row 2, with different content. Give each row its own code.",
        "Row 6: kind 'bogus' is not one of skill, strength or category (leave it empty for skill).",
        "Row 6: parent code 'Z' does not match the code of any row; correct it or leave it empty.",
    ]
    # The blank row 7 is skipped but still counted.
    assert [skill.row for skill in result.skills] == [2, 3, 4, 5, 6, 8]


def test_problems_are_capped_with_a_count_of_the_rest():
    rows = "".join(f"C{number},\n" for number in range(250))

    result = parse_text("code,name\n" + rows)

    assert len(result.problems) == 200
    assert str(result.problems[0]) == "Row 2: name is empty; fill it in or delete the row."
    assert result.problems[198].row == 200
    assert str(result.problems[-1]) == "…and 51 more problems."


def test_problem_reads_with_its_row_or_alone():
    assert str(Problem(7, "name is empty.")) == "Row 7: name is empty."
    assert str(Problem(None, "The file has no skills.")) == "The file has no skills."
