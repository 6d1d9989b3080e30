"""Reading a spreadsheet a person uploads, CSV or XLSX, as its publisher or their own program saved it, row by row.

Every importer of the portal reads through `open_rows` (the skills framework, the company directory): CSV in UTF-8
(with or without BOM), UTF-16 or Windows-1252 (what Excel on Windows saves as "CSV"), with Excel's `sep=` line or a
comma, semicolon or tab, or the first sheet of an `.xlsx` workbook. Files are streamed within caps on size, rows,
cell length and a workbook's expanded size, so memory stays bounded. A file that cannot be read raises
`Unreadable`, whose message is meant for the person who uploaded it.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import openpyxl

MAX_CELL_LENGTH = 32_767  # the most Excel itself holds in a cell
MAX_XLSX_EXPANDED_BYTES = 50 * 1024 * 1024  # an ESCO-sized workbook expands to about 10 MB
NOT_A_SPREADSHEET = "This is not a CSV file or an Excel spreadsheet (.xlsx)."
SAVE_AS_UTF8 = "Save it as 'CSV UTF-8' and try again."
# Our exports put a ' before a cell starting with one of these (a spreadsheet would run it as a formula); the
# reader removes a leading ' only before one of them, so a ' that is part of the data stays.
NEUTRALISED_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The text encodings a CSV is read in, as previews name them.
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "utf-16-le": "UTF-16",
             "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}  # fmt: skip

_SNIFF_BYTES = 8192
_MEGABYTE = 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGICS = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b")
_SEP_LINE = re.compile(r'"?sep=(.)"?', flags=re.IGNORECASE)  # Excel's first line naming the delimiter
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_UNDECODED = re.compile("[\udc80-\udcff]")

type Rows = Iterator[tuple[int, list[str]]]


@dataclass
class Problem:
    """Something that stops the file being imported; `row` is the spreadsheet row, None for the whole file."""

    row: int | None
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row else self.message


MAX_PROBLEMS = 200  # listed for one file: enough to fix a column, not a page nobody reads


def capped(problems: list[Problem]) -> list[Problem]:
    """File-level problems first, then by row; at most MAX_PROBLEMS, the last saying how many more."""
    problems = sorted(problems, key=lambda problem: (problem.row is not None, problem.row or 0))
    if len(problems) <= MAX_PROBLEMS:
        return problems
    kept = problems[: MAX_PROBLEMS - 1]
    return [*kept, Problem(None, f"…and {len(problems) - len(kept):,} more problems.")]


class Unreadable(Exception):
    """The file cannot be read any further; the message is a file-level problem."""


@contextmanager
def open_rows(file: BinaryIO, *, max_bytes: int | None, max_rows: int) -> Iterator[tuple[Rows, str]]:
    """Yields the non-blank rows of a CSV or XLSX file as (row number, cleaned cells), header included, and the
    name of the text encoding a CSV was read in ("" for XLSX). Row numbers are the spreadsheet's: records, not
    lines, with the header as row 1."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if max_bytes is not None and size > max_bytes:
        raise Unreadable(
            f"The file is {megabytes(size)} MB, over the {megabytes(max_bytes)} MB limit. "
            "Make it smaller (for example by removing columns you do not need) and try again."
        )
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    encoding = ""
    if head.startswith(_XLSX_MAGIC):
        cells = _xlsx_cells(file)
    elif head.startswith(_XLS_MAGIC):
        raise Unreadable("This is an old Excel file (.xls). Open it in Excel, save it as .xlsx or CSV, then try again.")
    elif head.startswith(_BINARY_MAGICS):
        raise Unreadable(NOT_A_SPREADSHEET)
    else:
        encoding = _text_encoding(file, head)
        cells = _csv_cells(file, encoding)
    try:
        yield _numbered(cells, max_rows), ENCODINGS.get(encoding, "")
    finally:
        cells.close()


def _numbered(cells: Iterator[list[str]], max_rows: int) -> Rows:
    """Numbers the records (blank ones count, as in a spreadsheet), skips blank ones, and stops at the caps."""
    for number, row in enumerate(cells, start=1):
        if number > max_rows:
            raise Unreadable(
                f"The file has more than {max_rows:,} rows, the most one import takes. "
                "Remove empty or unneeded rows, or split it, and try again."
            )
        for cell in row:
            if len(cell) > MAX_CELL_LENGTH:
                raise Unreadable(
                    f"Row {number} has a cell of {len(cell):,} characters, over the limit of {MAX_CELL_LENGTH:,} "
                    "(the most Excel holds). Shorten it and try again."
                )
        if any(row):
            yield number, row


def _text_encoding(file: BinaryIO, head: bytes) -> str:
    """The codec a text file is in: UTF-8 (with or without BOM), UTF-16 (by its BOM, or by its NUL bytes without
    one), else Windows-1252, which is what Excel on Windows saves as "CSV". Each is checked over the whole file."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif utf16 := _utf16_without_bom(head):
        candidates = [utf16]
    elif b"\x00" in head:
        raise Unreadable(NOT_A_SPREADSHEET)
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes(file, encoding):
            if encoding == "cp1252" and _has_utf8_sequences(file):  # Windows-1252 would garble the UTF-8 part
                raise Unreadable(
                    f"The file mixes UTF-8 with another encoding: row {_first_undecodable_row(file)} is not "
                    f"UTF-8. {SAVE_AS_UTF8}"
                )
            return encoding
    if candidates[0].startswith("utf-16"):
        raise Unreadable(f"The file is UTF-16 text, but some of it is not valid UTF-16. {SAVE_AS_UTF8}")
    raise Unreadable(
        f"The file is not UTF-8 or Windows-1252 text: row {_first_undecodable_row(file)} is neither. {SAVE_AS_UTF8}"
    )


def _utf16_without_bom(head: bytes) -> str:
    """'utf-16-le' or 'utf-16-be' when the head looks like mostly-Latin UTF-16 without a byte order mark: one byte
    of each pair is NUL."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return ""
    for nuls, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls.count(0) >= len(nuls) / 2 and others.count(0) <= len(others) / 20:
            return codec
    return ""


def _decodes(file: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := file.read(_MEGABYTE):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def _has_utf8_sequences(file: BinaryIO) -> bool:
    try:
        return any(_UTF8_SEQUENCE.search(chunk) for chunk in iter(lambda: file.read(_MEGABYTE), b""))
    finally:
        file.seek(0)


def _first_undecodable_row(file: BinaryIO) -> int:
    """The first record with bytes that are not UTF-8 (the file is read with them escaped, to find it)."""
    cells = _csv_cells(file, "utf-8", errors="surrogateescape")
    try:
        for number, row in enumerate(cells, start=1):
            if any(_UNDECODED.search(cell) for cell in row):
                return number
    finally:
        cells.close()
        file.seek(0)
    return 1


def _csv_cells(file: BinaryIO, encoding: str, *, errors: str = "strict") -> Iterator[list[str]]:
    """Streams CSV records, with the delimiter from Excel's `sep=` first line (which is skipped) or sniffed from
    the header."""
    text = io.TextIOWrapper(file, encoding=encoding, errors=errors, newline="")
    record = 0
    try:
        leading: list[str] = []
        for line in text:
            leading.append(line)
            if line.strip():
                break
        sep = _SEP_LINE.fullmatch(leading[-1].strip("\r\n")) if leading else None
        if sep:
            leading.pop()
        delimiter = sep.group(1) if sep else _sniff_delimiter(leading[-1] if leading else "")
        reader = csv.reader(itertools.chain(leading, text), delimiter=delimiter)
        for cells in reader:
            record += 1
            yield [clean(cell) for cell in cells]
    except csv.Error as error:
        raise Unreadable(
            f"The file could not be read as CSV at row {record + 1} ({error}). "
            "Save it again from your spreadsheet program as CSV and try again."
        ) from error
    finally:
        text.detach()  # Leaves the caller's file open.


def _sniff_delimiter(header_line: str) -> str:
    """The commonest of comma, semicolon and tab outside quotes in the header line; comma on a tie."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return max((",", ";", "\t"), key=unquoted.count)


def _xlsx_cells(file: BinaryIO) -> Iterator[list[str]]:
    """Streams the rows of the workbook's first sheet as text, once its expanded size is known to be in bounds."""
    _check_expanded_size(file)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # A zip that is not a workbook fails in many ways inside openpyxl.
        raise Unreadable(NOT_A_SPREADSHEET) from error
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # Some programs write wrong dimensions; read every row there is.
        for values in sheet.iter_rows(values_only=True):
            yield [clean(_cell_text(value)) for value in values]
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable(f"The spreadsheet could not be read ({error}). Save it again as .xlsx or CSV.") from error
    finally:
        workbook.close()


def _check_expanded_size(file: BinaryIO) -> None:
    """Refuses a workbook whose parts declare more than MAX_XLSX_EXPANDED_BYTES (a zip bomb, say) before any part
    is opened. Python's zipfile stops reading a part at its declared size, so a part cannot lie its way past."""
    try:
        with zipfile.ZipFile(file) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Unreadable(NOT_A_SPREADSHEET) from error
    finally:
        file.seek(0)
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise Unreadable(
            f"The spreadsheet expands to {megabytes(expanded)} MB when opened, over the limit of "
            f"{megabytes(MAX_XLSX_EXPANDED_BYTES)} MB. Save the sheet you import as CSV (or remove other "
            "sheets and formatting) and try again."
        )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def clean(value: str) -> str:
    """Undoes our exporter's formula neutralising ("'=SUM(...)" becomes "=SUM(...)"; "'s-Hertogenbosch" stays),
    then strips whitespace."""
    if value.startswith("'") and value[1:].startswith(NEUTRALISED_STARTS):
        value = value[1:]
    return value.strip()


class Columns:
    """Finds cells by normalised header name ("ID number", "Idnumber" and "idnumber" are all "idnumber")."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.positions: dict[str, int] = {}
        for position, title in enumerate(header):
            self.positions.setdefault(normalise(title), position)

    def has(self, name: str) -> bool:
        return name in self.positions

    def value(self, cells: list[str], *names: str) -> str:
        """The cell under the first of `names` the file has, or ""."""
        for name in names:
            position = self.positions.get(name)
            if position is not None:
                return cells[position] if position < len(cells) else ""
        return ""

    def levels(self, cells: list[str], pattern: str) -> dict[str, str]:
        """Non-empty cells under columns whose normalised name matches `pattern`, keyed by its level group."""
        found = {}
        for name, position in self.positions.items():
            match = re.fullmatch(pattern, name)
            if match and position < len(cells) and cells[position]:
                found.setdefault(match.group(1), cells[position])
        return dict(sorted(found.items(), key=lambda item: int(item[0])))

    def found(self) -> str:
        """The header's titles for messages, the first 20 of them."""
        titles = [title for title in self.header if title]
        if len(titles) > 20:
            return ", ".join(titles[:20]) + f" and {len(titles) - 20} more"
        return ", ".join(titles) or "none"


def normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def megabytes(size: int) -> str:
    return f"{size / _MEGABYTE:.1f}".removesuffix(".0")


def loops(parents: dict[str, str]) -> list[list[str]]:
    """Each loop in a child → parent mapping (a skill and its parent, a person and their manager) once, as the keys
    along it: what an importer refuses, naming the rows."""
    found = []
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: dict[str, int] = {}
        key = start
        while key in parents and key not in done:
            if key in on_path:
                found.append(path[on_path[key] :])
                break
            on_path[key] = len(path)
            path.append(key)
            key = parents[key]
        done.update(path)
    return found
