"""A DICOM record keeps its study's metadata (modality, body part, study date,
description) read with pydicom, and never the patient's identifiers; a text record
gets the date it speaks for from its header."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filewriter import dcmwrite
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from consilium.apps.preparation.models import AbstractionRun
from consilium.apps.records.services import add_document
from consilium.engines.records.dicom import DicomError, parse_da, read_study
from consilium.engines.records.filetypes import FileType
from consilium.engines.records.metadata import describe
from tests import factories as f

# The test writes a lower-case body part on purpose (real scanners do); pydicom warns.
pytestmark = pytest.mark.filterwarnings("ignore:Invalid value for VR")


def dicom_bytes(**tags) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "DOE^JANE"
    ds.PatientID = "MRN-0042"
    ds.PatientBirthDate = "19610412"
    for key, value in tags.items():
        setattr(ds, key, value)
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 2, 2, 16, 16, 15
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PixelRepresentation = 1, "MONOCHROME2", 0
    ds.PixelData = b"\x00\x01" * 4
    buf = io.BytesIO()
    dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


CT = dict(
    Modality="CT",
    BodyPartExamined="chest",
    StudyDate="20240315",
    StudyDescription="CT chest abdomen pelvis with contrast",
    SeriesDescription="Axial 2.5 mm",
)


def test_the_study_is_read_from_the_header():
    study = read_study(dicom_bytes(**CT))
    assert study.modality == "CT" and study.body_part == "CHEST"
    assert study.study_date == date(2024, 3, 15)
    assert study.summary == "CT · Chest · CT chest abdomen pelvis with contrast"
    metadata = study.to_metadata()
    assert metadata["dicom"]["study_date"] == "2024-03-15"
    assert "DOE" not in repr(metadata) and "MRN-0042" not in repr(metadata)


def test_a_series_date_stands_in_for_a_missing_study_date():
    study = read_study(dicom_bytes(Modality="MR", SeriesDate="20230102"))
    assert study.study_date == date(2023, 1, 2) and study.modality_label == "MRI"
    assert parse_da("2024.03.15") == date(2024, 3, 15)
    assert parse_da("20241399") is None


def test_an_unreadable_header_is_kept_as_the_reason_not_raised():
    with pytest.raises(DicomError):
        read_study(b"\x00" * 128 + b"DICM" + b"\xff" * 40)
    described = describe(FileType.DICOM, b"\x00" * 128 + b"DICM" + b"\xff" * 40)
    assert described.record_date is None and "dicom_error" in described.metadata


def test_an_uploaded_dicom_file_gets_its_metadata_and_record_date(world):
    doc = add_document(
        f.actor(world.coordinator),
        world.case,
        data=dicom_bytes(**CT),
        filename="staging-ct.dcm",
        kind="image",
    )
    doc.refresh_from_db()
    assert doc.file_type == "dicom"
    assert doc.record_date == date(2024, 3, 15)
    assert doc.metadata["dicom"]["modality"] == "CT"
    assert doc.metadata["dicom"]["body_part"] == "CHEST"
    assert doc.metadata["dicom"]["study_description"] == "CT chest abdomen pelvis with contrast"
    # An image has no text to abstract: no run is queued for it.
    assert not AbstractionRun.objects.filter(document=doc).exists()


def test_the_viewer_shows_the_study(world, client):
    doc = add_document(
        f.actor(world.coordinator),
        world.case,
        data=dicom_bytes(**CT),
        filename="ct.dcm",
        kind="image",
    )
    client.force_login(world.coordinator)
    body = client.get(f"/cases/{world.case.pk}/documents/{doc.pk}/").content.decode()
    assert "CT · Chest · CT chest abdomen pelvis with contrast" in body
    assert "Mar 15, 2024" in body


def test_an_uploaded_report_gets_the_date_it_speaks_for(world):
    text = "PATHOLOGY\nDOB: 1960-01-01   Collected: 2024-02-10   Reported: 2024-02-14\n" + (
        f.PATHOLOGY_TEXT
    )
    doc = add_document(
        f.actor(world.coordinator),
        world.case,
        data=text.encode(),
        filename="path.txt",
        kind="pathology_report",
    )
    assert doc.record_date == date(2024, 2, 10)
