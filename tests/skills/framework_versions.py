"""A small framework in each import format, twice: the second version renames one skill (code B).

`first_name` names the framework on its first import ("" when the file names it, as Moodle's framework row does);
a re-import without a name must keep `name` as the framework's name.
"""

import io
from dataclasses import dataclass

import openpyxl


@dataclass
class Versions:
    filename: str
    first: bytes
    second: bytes
    first_name: str
    name: str


def _xlsx(text: str) -> bytes:
    workbook = openpyxl.Workbook()
    for line in text.splitlines():
        workbook.active.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _versions(filename: str, text: str, first_name: str, name: str, encode=str.encode) -> Versions:
    return Versions(filename, encode(text), encode(text.replace("Beta", "Beta renamed")), first_name, name)


ESCO = "http://data.europa.eu/esco/skill/"
VERSIONS = {
    "csv": _versions("acme.csv", "code,name,parent code\nA,Alpha,\nB,Beta,A\n", "Acme skills", "Acme skills"),
    "xlsx": _versions("acme.xlsx", "code,name,parent code\nA,Alpha,\nB,Beta,A\n", "Acme skills", "Acme skills", _xlsx),
    "moodle": _versions(
        "acme.moodle.csv",
        "Parent ID number,ID number,Short name,Is framework\n,FW,Acme framework,1\n,A,Alpha,0\nA,B,Beta,0\n",
        "",
        "Acme framework",
    ),
    "esco": _versions(
        "skills_en.csv", f"conceptUri,preferredLabel\n{ESCO}a,Alpha\n{ESCO}b,Beta\n", "Our ESCO", "Our ESCO"
    ),
    "sfia": _versions(
        "sfia-9.csv", "Code,Skill,Category\nALPH,Alpha,Dev\nBETA,Beta,Dev\n", "SFIA 9 (2025)", "SFIA 9 (2025)"
    ),
    "onet": _versions(
        "Content Model Reference.txt",
        "Element ID\tElement Name\tDescription\n1\tAlpha\tHeading\n1.A\tBeta\tElement\n",
        "O*NET 29",
        "O*NET 29",
    ),
}
