"""Record types are recognized by content; names that lie are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consilium.engines.records.filetypes import FileType, Rejected, recognize, sniff
from consilium.engines.records.text import extract_text
from tests.records import samples

LIMIT = 1_000_000


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (samples.TEXT, "path.txt", FileType.TEXT),
        (samples.PNG, "scan.png", FileType.PNG),
        (samples.JPEG, "photo.jpeg", FileType.JPEG),
        (samples.TIFF, "fax.tif", FileType.TIFF),
        (samples.TIFF_BIG_ENDIAN, "fax.tiff", FileType.TIFF),
        (samples.DICOM, "ct.dcm", FileType.DICOM),
        (samples.FHIR, "bundle.json", FileType.FHIR_JSON),
        (samples.TEXT, "no-extension", FileType.TEXT),
        (samples.PNG, "scan.unknownext", FileType.PNG),
    ],
)
def test_recognized_by_content(data, name, expected):
    assert recognize(data, name, LIMIT).type is expected


def test_pdf_and_docx_are_recognized():
    assert recognize(samples.pdf(), "r.pdf", LIMIT).type is FileType.PDF
    assert recognize(samples.docx(), "note.docx", LIMIT).type is FileType.DOCX


def test_empty_file_is_refused():
    with pytest.raises(Rejected, match="empty"):
        recognize(b"", "report.pdf", LIMIT)


def test_too_large_is_refused_with_the_limit():
    with pytest.raises(Rejected, match="the limit is 1 MB"):
        recognize(b"a" * (LIMIT + 1), "big.txt", LIMIT)


def test_unknown_binary_is_refused_naming_supported_types():
    with pytest.raises(Rejected, match="not a supported record type.*PDF document"):
        recognize(samples.BINARY, "program.exe", LIMIT)


def test_a_zip_that_is_not_docx_is_refused():
    with pytest.raises(Rejected):
        recognize(samples.zip_not_docx(), "records.zip", LIMIT)


def test_misleading_extension_is_refused():
    with pytest.raises(Rejected, match="named like a PDF document but its content is a PNG"):
        recognize(samples.PNG, "report.pdf", LIMIT)


def test_binary_renamed_as_text_is_refused():
    with pytest.raises(Rejected):
        recognize(samples.BINARY, "notes.txt", LIMIT)


def test_text_extraction_from_pdf_docx_and_text():
    assert "ductal carcinoma" in extract_text(FileType.PDF, samples.pdf()).text
    assert "seen in clinic" in extract_text(FileType.DOCX, samples.docx()).text
    assert "pT3" in extract_text(FileType.TEXT, samples.TEXT).text


def test_broken_pdf_keeps_the_record_and_says_why():
    result = extract_text(FileType.PDF, b"%PDF-1.7 truncated")
    assert result.status == "failed"
    assert result.detail


def test_images_are_left_to_ocr_and_a_dicom_study_has_no_text():
    # Reading an image's text takes seconds: the upload only says OCR is to read it.
    for kind, data in ((FileType.PNG, samples.PNG), (FileType.TIFF, samples.TIFF)):
        assert extract_text(kind, data).status == "needs_ocr"
    assert extract_text(FileType.DICOM, samples.DICOM).status == "not_applicable"


def test_a_tiff_named_like_a_pdf_is_refused():
    with pytest.raises(Rejected, match="its content is a TIFF image"):
        recognize(samples.TIFF, "fax.pdf", LIMIT)


@given(st.binary(max_size=600))
def test_sniff_never_crashes_and_refusal_is_explicit(data):
    kind = sniff(data)
    if data and kind is None:
        with pytest.raises(Rejected):
            recognize(data, "x", LIMIT)
