"""Record files made by the tests themselves: one of each supported type."""

import io
import json
import zipfile


def pdf(text: str = "Surgical pathology report. Invasive ductal carcinoma.") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<h1>Report</h1><p>{text}</p>").write_pdf()


def docx(text: str = "Clinical note: patient seen in clinic.") -> bytes:
    import docx as docx_lib

    document = docx_lib.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 40  # a fax's byte order
TIFF_BIG_ENDIAN = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 40
DICOM = b"\x00" * 128 + b"DICM" + b"\x02\x00\x10\x00UI" + b"\x00" * 20
FHIR = json.dumps({"resourceType": "Patient", "id": "p1"}).encode()
TEXT = b"Pathology: adenocarcinoma of the colon, pT3 pN1a.\n"
BINARY = bytes(range(256)) * 4  # not any supported type


def zip_not_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    return buf.getvalue()
