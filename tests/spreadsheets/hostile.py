"""Small spreadsheet files built to exhaust a reader: the shapes of the attacks, made by hand.

Each is a real CSV, XLSX or ODS file (what a spreadsheet program or a script could write), a
few bytes to a few megabytes, that would make a naive reader build millions of cells, unpack
gigabytes, or hold a whole document in memory. ``tests/spreadsheets/test_bounded_reading.py``
reads them with the file layer, ``tests/crm_blocks/test_import_hostile_files.py`` through the
command and the admin.
"""

import io
import struct
import zipfile

from spreadsheets.files.common import ODS_MIMETYPE

ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
HEADER_ROW = (
    "<table:table-row>"
    '<table:table-cell office:value-type="string"><text:p>email</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>last_name</text:p></table:table-cell>'
    "</table:table-row>"
)
PERSON_ROW = (
    "<table:table-row{repeat}>"
    '<table:table-cell office:value-type="string"><text:p>{email}</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>{name}</text:p></table:table-cell>'
    "{tail}</table:table-row>"
)


def ods(rows: str, *, prologue: str = "") -> bytes:
    """An ODS archive whose first sheet holds ``rows`` (``table:table-row`` elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'{prologue}<office:document-content {ODS_NAMESPACES} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Membres">'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return output.getvalue()


def person_row(n: int, *, repeat: int = 1, tail: str = "") -> str:
    return PERSON_ROW.format(
        repeat=f' table:number-rows-repeated="{repeat}"' if repeat > 1 else "",
        email=f"p{n}@example.org",
        name=f"Nom{n}",
        tail=tail,
    )


def ods_claiming_columns(columns: int = 20_000_000, *, empty_first: bool = False) -> bytes:
    """About a kilobyte: a row with one value repeated over ``columns`` columns (or, with
    ``empty_first``, that many empty cells before one value)."""
    if empty_first:
        cells = (
            f'<table:table-cell table:number-columns-repeated="{columns}"/>'
            '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        )
    else:
        cells = (
            f'<table:table-cell table:number-columns-repeated="{columns}" '
            'office:value-type="string"><text:p>x</text:p></table:table-cell>'
        )
    return ods(HEADER_ROW + person_row(1, tail=cells))


def ods_repeating_a_row(times: int = 10_000_000) -> bytes:
    """About a kilobyte: one person repeated ``times`` times (``number-rows-repeated``)."""
    return ods(HEADER_ROW + person_row(1, repeat=times))


def ods_with_libreoffice_formatting(people: int = 3) -> bytes:
    """What LibreOffice saves: every row ends with thousands of empty cells of formatting, and
    the sheet with a million empty rows as wide as a sheet can be. A normal file."""
    trailing_cells = '<table:table-cell table:number-columns-repeated="16382"/>'
    rows = HEADER_ROW.replace("</table:table-row>", trailing_cells + "</table:table-row>")
    rows += "".join(person_row(n, tail=trailing_cells) for n in range(1, people + 1))
    rows += (
        '<table:table-row table:number-rows-repeated="1048571">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    return ods(rows)


def ods_with_a_billion_spaces() -> bytes:
    """A cell whose text says "a billion spaces here" (``text:s``)."""
    cell = (
        '<table:table-cell office:value-type="string">'
        '<text:p>a<text:s text:c="1000000000"/>b</text:p></table:table-cell>'
    )
    return ods(HEADER_ROW + person_row(1, tail=cell))


def billion_laughs(root: str) -> str:
    """The "billion laughs": entities that expand to gigabytes if a parser lets them."""
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return f"<!DOCTYPE {root} [{''.join(laughs)}]>"


def ods_with_entities() -> bytes:
    row = person_row(1).replace("Nom1", "&lol9;")
    return ods(HEADER_ROW + row, prologue=billion_laughs("office:document-content"))


XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Membres" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx(rows: str, *, prologue: str = "") -> bytes:
    """An XLSX workbook whose only sheet holds ``rows`` (``row`` elements, inline strings)."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{prologue}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, xml in XLSX_PARTS.items():
            archive.writestr(name, xml)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return output.getvalue()


def xlsx_cell(reference: str, text: str) -> str:
    where = f' r="{reference}"' if reference else ""
    return f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_people(rows: int = 500_000) -> bytes:
    """About 3 MB: a header, then ``rows`` people, each with its own e-mail (cells without
    references, which Excel allows: each follows the previous one)."""
    lines = [f"<row>{xlsx_cell('', 'email')}{xlsx_cell('', 'last_name')}</row>"]
    lines.extend(
        f"<row>{xlsx_cell('', f'{n}@x.org')}{xlsx_cell('', 'Roy')}</row>" for n in range(rows)
    )
    return xlsx("".join(lines))


def xlsx_with_a_value_in_column(column: str) -> bytes:
    """A header, and a person with one more value in column ``column`` ("ALM": 1,001)."""
    return xlsx(
        f'<row r="1">{xlsx_cell("A1", "email")}{xlsx_cell("B1", "last_name")}</row>'
        f'<row r="2">{xlsx_cell("A2", "p@example.org")}{xlsx_cell("B2", "Roy")}'
        f"{xlsx_cell(f'{column}2', 'x')}</row>"
    )


def xlsx_with_entities() -> bytes:
    return xlsx(
        f'<row r="1">{xlsx_cell("A1", "email")}</row><row r="2">{xlsx_cell("A2", "&lol9;")}</row>',
        prologue=billion_laughs("worksheet"),
    )


def workbook_bytes(workbook) -> bytes:
    """An openpyxl workbook as the bytes of its XLSX file."""
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_with_formatted_empty_cells() -> bytes:
    """Rows ending with a formatted empty cell in the sheet's last column (XFD): normal."""
    return xlsx(
        f'<row r="1">{xlsx_cell("A1", "email")}{xlsx_cell("B1", "last_name")}'
        '<c r="XFD1" s="1"/></row>'
        f'<row r="2">{xlsx_cell("A2", "p@example.org")}{xlsx_cell("B2", "Roy")}'
        '<c r="XFD2" s="1"/></row>'
    )


def zip_claiming(data: bytes, name: str, size: int) -> bytes:
    """``data`` (a ZIP archive) whose part ``name`` claims to unpack to ``size`` bytes, in its
    local header and in the central directory, whatever it really unpacks to."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", patched, info.header_offset + 22, size)
    encoded = name.encode()
    position = 0
    while (position := patched.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", patched, position + 28)[0]
        if bytes(patched[position + 46 : position + 46 + name_length]) == encoded:
            struct.pack_into("<I", patched, position + 24, size)
        position += 4
    return bytes(patched)


def ods_claiming_gigabytes() -> bytes:
    """A tiny ODS whose ``content.xml`` claims to unpack to 3 GB."""
    return zip_claiming(ods(HEADER_ROW + person_row(1)), "content.xml", 3_000_000_000)


def ods_bomb_claiming_little(unpacked: int = 50_000_000) -> bytes:
    """A zip bomb that lies: ``content.xml`` unpacks to ``unpacked`` bytes of XML (spaces,
    which compress a thousand times) but claims a kilobyte."""
    padding = " " * unpacked
    data = ods(HEADER_ROW + person_row(1) + f"<table:table-row>{padding}</table:table-row>")
    return zip_claiming(data, "content.xml", 1024)


def csv_one_line_of_columns(columns: int = 3_000_000) -> bytes:
    """A header, then one line of ``columns`` two-letter cells (about 9 MB)."""
    return b"email,last_name\r\n" + b"ab," * columns + b"\r\n"


def csv_one_giant_cell(characters: int = 1_000_000) -> bytes:
    return b"email,notes\r\np@example.org," + b"x" * characters + b"\r\n"
