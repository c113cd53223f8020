"""The letter's exporting pages in the admin (mixed into LetterAdmin)."""


class ExportViews:
    """Mixed into LetterAdmin: adds its URLs to the letter's admin and its context to the
    letter's change page."""

    def get_urls(self):
        return super().get_urls()
