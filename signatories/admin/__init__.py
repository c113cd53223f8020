"""The organisers' admin: letters with their sign-on's progress, and the signatures to vet.

The letter's admin lives here rather than in campaigns because it shows signatures (progress,
the review queue), and campaigns knows nothing of them (README, "Architecture"). Every change
goes through a service; the change forms are not wrapped in the admin's own transaction,
because the services open their own, durable, ones.

Each organiser works on the letters they organise only (`base.LetterScopedAdmin`): a site may
host letters of coalitions that must not see each other's signatories.
"""

from signatories.admin import letters, signatures  # noqa: F401  (they register the pages)
