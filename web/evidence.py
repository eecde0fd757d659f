"""Serving an evidence file (a problem's, a duty record's, a score sheet's special entry) to
a reader the page has already let through."""

from django.http import FileResponse
from django.shortcuts import render

from records.services.evidence import EvidenceTampered, evidence_open


def serve_evidence(request, evidence):
    """The file as a download, after its checksum is checked (audited either way); a file
    that no longer matches is refused with 409 and the reason."""
    try:
        handle = evidence_open(evidence=evidence, by=request.user)
    except EvidenceTampered as error:
        return render(request, "flows/conflict.html", status=409,
                      context={"message": str(error)})
    return FileResponse(handle, as_attachment=True, filename=evidence.name,
                        content_type=evidence.content_type)
