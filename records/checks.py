"""System checks: what the records app needs from the machine it runs on."""

from django.core.checks import Warning, register


@register()
def pdf_font_check(app_configs=None, **kwargs):
    """The approval sheet's PDF needs an embeddable (TrueType) Chinese font."""
    from .sheets import SheetUnavailable, pdf_font_path

    try:
        pdf_font_path()
    except SheetUnavailable as error:
        return [Warning(
            error.message,
            hint="apt-get install fonts-wqy-zenhei, or set DUTYCHAIN_PDF_FONT to a TrueType "
                 "(.ttf/.ttc) Chinese font; approval sheets are printed as .docx meanwhile.",
            id="records.W001")]
    return []
