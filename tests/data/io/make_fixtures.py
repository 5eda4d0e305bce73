#!/usr/bin/env python3
"""Writes the reader fixtures of tests/unit/test_table.c with Python's standard library only, so
the XLSX and GBK files come from a tool independent of spotcheck's own writers.

Run from the repository root: python3 tests/data/io/make_fixtures.py
Outputs (committed): tests/data/io/handmade.xlsx, handmade1904.xlsx, gb18030.csv.
Also writes seed inputs for the fuzz targets into tests/fuzz/corpus/fuzz_xlsx/: zips with stored
(uncompressed) entries, and the target's text form (XML parts separated by "====" lines)."""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/hidden.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""

ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""


def workbook(date1904):
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    # The first <sheet> is hidden; the reader must pick the first visible one ("名单").
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook {NS} {NS_R}>{pr}<sheets>
<sheet name="隐藏" sheetId="2" state="hidden" r:id="rId3"/>
<sheet name="名单" sheetId="1" r:id="rId1"/>
</sheets></workbook>"""


WB_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/data.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{REL}/worksheet" Target="/xl/worksheets/hidden.xml"/>
</Relationships>"""

# Index: 0 名称, 1 登记日期, 2 备注 (rich text), 3 邢台市第一医院 (rich text + phonetic run),
#        4 A&B <tag> (entities), 5 "  前后空格  " (preserved spaces)
SST = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst {NS} count="6" uniqueCount="6">
<si><t>名称</t></si>
<si><t>登记日期</t></si>
<si><r><rPr><b/></rPr><t>备</t></r><r><t>注</t></r></si>
<si><r><t>邢台市</t></r><r><rPr><i/></rPr><t>第一医院</t></r><rPh sb="0" eb="3"><t>xingtaishi</t></rPh></si>
<si><t>A&amp;B &lt;tag&gt;</t></si>
<si><t xml:space="preserve">  前后空格  </t></si>
</sst>"""

# A prefixed namespace (x:) as some generators write; row 2 absent; D3 skipped; F3 without r.
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:H9"/>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>投诉次数</x:t></x:is></x:c><x:c r="D1" t="s"><x:v>2</x:v></x:c><x:c r="E1" t="inlineStr"><x:is><x:r><x:t>公</x:t></x:r><x:r><x:t>式</x:t></x:r></x:is></x:c></x:row>
<x:row r="3" spans="1:8"><x:c r="A3" t="s" s="1"><x:v>3</x:v></x:c><x:c r="B3"><x:v>45292</x:v></x:c><x:c r="C3" t="n"><x:v>3</x:v></x:c><x:c r="E3" t="str"><x:f>A1&amp;B1</x:f><x:v>名称登记日期</x:v></x:c><x:c><x:v>1.30102199001010E+17</x:v></x:c><x:c r="G3"><x:v>1.1000000000000001</x:v></x:c><x:c r="H3" t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" s="1"/><x:c r="B4" t="s" s="2"/></x:row>
<x:row r="5"><x:c r="A5" t="s"><x:v>4</x:v></x:c><x:c r="B5"><x:v>60</x:v></x:c><x:c r="C5" t="inlineStr"><x:is><x:t xml:space="preserve">第一行_x000D_
第二行</x:t></x:is></x:c><x:c r="D5" t="b"><x:v>1</x:v></x:c><x:c r="E5" t="b"><x:v>0</x:v></x:c></x:row>
<x:row r="6"><x:c r="A6" t="s"><x:v>5</x:v></x:c><x:c r="B6"><x:v>61</x:v></x:c><x:c r="C6"><x:v>3.0</x:v></x:c><x:c r="D6"><x:v>-2.5E-3</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7" t="inlineStr"><x:is><x:t>最后</x:t></x:is></x:c><x:c r="B7"><x:v>45292.75</x:v></x:c><x:c r="C7"><x:v>13812345678</x:v></x:c></x:row>
<x:row r="9"><x:c r="B9" t="d"><x:v>2024-03-05T00:00:00</x:v></x:c><x:c r="C9"><x:v>1</x:v></x:c></x:row>
</x:sheetData>
<x:mergeCells count="1"><x:mergeCell ref="A10:B10"/></x:mergeCells>
</x:worksheet>"""

HIDDEN = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>不应读到</t></is></c></row></sheetData></worksheet>"""

SHEET_1904 = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c></row>
<row r="2"><c r="A2"><v>0</v></c></row><row r="3"><c r="A3"><v>43830</v></c></row></sheetData></worksheet>"""


def put(z, name, text, compression):
    """A fixed timestamp keeps the files byte-identical from one run to the next."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = compression
    z.writestr(info, text)


def write_xlsx(path, sheet, date1904=False, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w") as z:
        put(z, "[Content_Types].xml", CONTENT_TYPES, compression)
        put(z, "_rels/.rels", ROOT_RELS, compression)
        put(z, "xl/workbook.xml", workbook(date1904), compression)
        put(z, "xl/_rels/workbook.xml.rels", WB_RELS, compression)
        put(z, "xl/sharedStrings.xml", SST, compression)
        put(z, "xl/worksheets/data.xml", sheet, compression)
        put(z, "xl/worksheets/hidden.xml", HIDDEN, compression)


def write_minimal(path, sheet_xml):
    """Only xl/worksheets/sheet1.xml: exercises the fallback when workbook.xml is absent."""
    with zipfile.ZipFile(path, "w") as z:
        put(z, "xl/worksheets/sheet1.xml", sheet_xml, zipfile.ZIP_STORED)


GB_TEXT = ("名称,统一社会信用代码,地址,备注\r\n"
           "邢台市第一医院,12130500401705040L,\"河北省邢台市桥东区,中兴东大街\",\"第一行\r\n第二行\"\r\n"
           "华北大药房（连锁）,91130500MA0ABCDE1X,信都区,含扩展字符㐀€\r\n")

if __name__ == "__main__":
    write_xlsx(os.path.join(HERE, "handmade.xlsx"), SHEET)
    write_xlsx(os.path.join(HERE, "handmade1904.xlsx"), SHEET_1904, date1904=True)
    with open(os.path.join(HERE, "gb18030.csv"), "wb") as f:
        f.write(GB_TEXT.encode("gb18030"))
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", "fuzz_xlsx")
    os.makedirs(seeds, exist_ok=True)
    write_xlsx(os.path.join(seeds, "handmade-stored.xlsx"), SHEET, compression=zipfile.ZIP_STORED)
    write_xlsx(os.path.join(seeds, "date1904-stored.xlsx"), SHEET_1904, True, zipfile.ZIP_STORED)
    write_minimal(os.path.join(seeds, "sheet1-only.xlsx"),
                  f'<worksheet {NS}><sheetData><row><c t="inlineStr"><is><t>a</t></is></c>'
                  '<c><v>1</v></c></row><row><c r="C2"><v>2.5</v></c></row></sheetData></worksheet>')
    # The target's text form: worksheet, shared strings, workbook, rels separated by "====".
    parts_wb = workbook(False).replace('state="hidden" r:id="rId3"', 'r:id="rId9"')
    parts_rels = WB_RELS.replace("worksheets/data.xml", "worksheets/sheet1.xml")
    with open(os.path.join(seeds, "parts-handmade.txt"), "w", encoding="utf-8") as f:
        f.write("\n====\n".join([SHEET, SST, parts_wb, parts_rels]))
    with open(os.path.join(seeds, "parts-1904.txt"), "w", encoding="utf-8") as f:
        f.write("\n====\n".join([SHEET_1904, "<sst/>", workbook(True), parts_rels]))
    with open(os.path.join(seeds, "parts-sheet-only.txt"), "w", encoding="utf-8") as f:
        f.write(f'<worksheet {NS}><sheetData><row r="2"><c r="B2" t="s"><v>0</v></c>'
                '<c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c><c t="d"><v>2024-01-02T03:04:05</v></c>'
                '<c t="inlineStr"><is><r><t>a_x005F_</t></r><rPh><t>x</t></rPh></is></c></row>'
                '</sheetData></worksheet>\n====\n<sst><si><t>共享</t></si></sst>')
    write_minimal(os.path.join(seeds, "doctype.xlsx"),
                  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                  f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t>'
                  '</is></c></row></sheetData></worksheet>')
