"""The letter's updates pages in the admin (mixed into LetterAdmin)."""


class UpdateViews:
    """Mixed into LetterAdmin: adds its URLs to the letter's admin and its context to the
    letter's change page."""

    def get_urls(self):
        return super().get_urls()
