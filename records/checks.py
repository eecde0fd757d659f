"""System checks: what the records app needs from the machine it runs on."""

from django.core.checks import Warning, register


@register()
def pdf_font_check(app_configs=None, **kwargs):
    """A font set in DUTYCHAIN_PDF_FONT must be usable; without one, the approval sheet's PDF
    takes an installed TrueType Chinese font or reportlab's built-in one, so no warning."""
    from .sheets import SheetUnavailable, pdf_font_path

    try:
        pdf_font_path()
    except SheetUnavailable as error:
        return [Warning(
            error.message,
            hint="Set DUTYCHAIN_PDF_FONT to a TrueType (.ttf/.ttc) Chinese font, or unset it "
                 "to use Debian's (apt-get install fonts-wqy-zenhei) or reportlab's built-in "
                 "one; approval sheets are printed as .docx meanwhile.",
            id="records.W001")]
    return []
