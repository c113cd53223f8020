"""The letter's importing pages in the admin (mixed into LetterAdmin)."""


class ImportViews:
    """Mixed into LetterAdmin: adds its URLs to the letter's admin and its context to the
    letter's change page."""

    def get_urls(self):
        return super().get_urls()
