"""Adding a record: accepted files are stored under their hash with their text; refused
files leave nothing behind."""

import hashlib

import pytest

from consilium.apps.access.models import AuditEvent
from consilium.apps.cases.services import RuleError
from consilium.apps.records import storage
from consilium.apps.records.models import Document
from consilium.apps.records.services import add_document, open_document
from tests import factories as f
from tests.records import samples


def _stored_files(settings):
    root = settings.STORAGE_DIR
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def setting(db):
    c = f.case(status=f.Status.INTAKE)
    return c, f.actor(c.member.user)


def test_accepted_pdf_is_stored_content_addressed_with_text(setting, settings):
    case, actor = setting
    data = samples.pdf("ER positive, PR positive, HER2 negative")
    doc = add_document(actor, case, data=data, filename="path.pdf", kind="pathology_report")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data)
    assert doc.file_type == "pdf"
    assert "HER2 negative" in doc.text
    assert storage.path_for(doc.sha256).read_bytes() == data
    assert settings.STORAGE_DIR in storage.path_for(doc.sha256).parents
    assert open_document(actor, case, doc) == data
    assert AuditEvent.objects.filter(
        action="document.upload", outcome="allowed", case_id=case.pk, object_id=str(doc.pk)
    ).exists()


def test_same_bytes_on_two_cases_are_stored_once(setting, settings):
    case, actor = setting
    other = f.case(case.program, mem=case.member, status=f.Status.INTAKE)
    add_document(actor, case, data=samples.TEXT, filename="a.txt", kind="other")
    add_document(actor, other, data=samples.TEXT, filename="b.txt", kind="other")
    assert len(_stored_files(settings)) == 1
    assert Document.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.pdf", "empty"),
        (samples.BINARY, "virus.exe", "not a supported record type"),
        (samples.PNG, "report.pdf", "named like a PDF"),
        (b"x" * 2_000, "big.txt", "the limit is"),
    ],
    ids=["empty", "wrong-type", "misleading-extension", "too-large"],
)
def test_refused_file_leaves_nothing_behind(setting, settings, data, name, reason):
    settings.MAX_UPLOAD_BYTES = 1_500
    case, actor = setting
    with pytest.raises(RuleError, match=reason):
        add_document(actor, case, data=data, filename=name, kind="pathology_report")
    assert Document.objects.count() == 0
    assert _stored_files(settings) == []
    assert not case.timeline.filter(kind="document").exists()
    assert AuditEvent.objects.filter(action="document.upload", outcome="failed").count() == 1


def test_database_failure_after_storing_removes_the_new_file(setting, settings, monkeypatch):
    case, actor = setting

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document.objects, "create", boom)
    with pytest.raises(RuntimeError):
        add_document(actor, case, data=samples.TEXT, filename="a.txt", kind="other")
    assert _stored_files(settings) == []


def test_stranger_cannot_upload_and_the_attempt_is_audited(setting, settings):
    case, _ = setting
    stranger = f.member(f.program())
    from consilium.apps.access.policy import NotFound

    with pytest.raises(NotFound):
        add_document(
            f.actor(stranger.user), case, data=samples.TEXT, filename="a.txt", kind="other"
        )
    assert _stored_files(settings) == []
    assert AuditEvent.objects.filter(
        action="document.upload", outcome="denied", actor_id=stranger.user.pk
    ).exists()


def test_tampered_file_is_detected_on_read(setting):
    case, actor = setting
    doc = add_document(actor, case, data=samples.TEXT, filename="a.txt", kind="other")
    storage.path_for(doc.sha256).write_bytes(b"changed")
    with pytest.raises(OSError, match="does not match its hash"):
        open_document(actor, case, doc)
