"""A problem's evidence (佐证材料): kept with its checksum, checked each time it is served."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User
from records.audit import audit
from records.models import Evidence, Problem

from .problems import Status, require_status

# What each accepted extension must contain, by its first bytes (filetype).
CONTENT_TYPES = {
    ".pdf": {"application/pdf"},
    ".doc": {"application/msword", "application/vnd.ms-excel",
             "application/vnd.ms-powerpoint", "application/x-ole-storage"},
    ".xls": {"application/vnd.ms-excel", "application/msword", "application/x-ole-storage"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
}


def validate_evidence(upload: UploadedFile | None) -> None:
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    suffix = Path(upload.name).suffix.lower()
    if suffix not in settings.EVIDENCE_EXTENSIONS:
        raise ValidationError({"file": _(
            "%(name)s is not an accepted type. Upload PDF, Word, Excel or image files "
            "(%(types)s).") % {"name": upload.name,
                               "types": ", ".join(sorted(settings.EVIDENCE_EXTENSIONS))}})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": _("%(name)s is %(size)s; the limit is %(limit)s.") % {
            "name": upload.name, "size": filesizeformat(upload.size),
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}})
    if upload.size == 0:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": upload.name}})
    # the name can lie: the first bytes must say the same as the extension
    head = upload.read(8192)
    upload.seek(0)
    found = filetype.guess(head)
    if found is None or found.mime not in CONTENT_TYPES[suffix]:
        raise ValidationError({"file": _(
            "%(name)s does not contain what its name says (%(suffix)s); upload the real file.")
            % {"name": upload.name, "suffix": suffix}})


def evidence_add(*, problem: Problem, by: User, file: UploadedFile | None, task=None
                 ) -> Evidence:
    """Keep one evidence file with its SHA-256, while the unit rectifies."""
    upload = file
    require_status(problem, Status.RECTIFYING)
    validate_evidence(upload)
    return keep(Evidence(problem=problem), upload, by=by, target=problem, prefix="problem")


def keep(evidence, upload: UploadedFile, *, by: User, target, prefix: str):
    """Store ``upload`` (checked already) as ``evidence`` (a problem's or a duty record's,
    its owner set) with its name, type, size and SHA-256; audited on ``target``."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence.name = Path(upload.name).name[:255]
    evidence.size, evidence.sha256, evidence.uploaded_by = upload.size, digest.hexdigest(), by
    evidence.content_type = (mimetypes.guess_type(evidence.name)[0]
                             or "application/octet-stream")
    evidence.file.save(evidence.name, upload, save=False)
    evidence.save()
    audit(actor=by, action=f"{prefix}.evidence", target=target, evidence=evidence.pk,
          name=evidence.name, sha256=evidence.sha256, size=evidence.size)
    return evidence


class EvidenceTampered(Exception):
    """The stored file no longer matches the checksum taken when it was uploaded."""


def _owner(evidence) -> tuple:
    """The record an evidence file proves, and its audit events' prefix."""
    if isinstance(evidence, Evidence):
        return evidence.problem, "problem"
    if hasattr(evidence, "sheet"):  # an assessment's special entry
        return evidence.sheet, "assessment"
    return evidence.record, "duty_record"


def evidence_open(*, evidence, by: User):
    """Open an evidence file (a problem's, a duty record's, a score sheet's) to serve it, after checking it against its SHA-256 (audited
    either way). Raises Http404 when the file is gone, EvidenceTampered (with the user's
    message) when it was altered."""
    from django.http import Http404

    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file is missing from storage.")) from error
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    if digest.hexdigest() != evidence.sha256:
        handle.close()
        target, prefix = _owner(evidence)
        audit(actor=by, action=f"{prefix}.evidence_tampered", target=target,
              evidence=evidence.pk, expected=evidence.sha256, found=digest.hexdigest())
        raise EvidenceTampered(_(
            "%(name)s no longer matches the checksum recorded when it was uploaded; it was "
            "not served, and this is recorded in the audit trail.") % {"name": evidence.name})
    target, prefix = _owner(evidence)
    audit(actor=by, action=f"{prefix}.evidence_download", target=target, evidence=evidence.pk)
    return handle
