"""The demo letter that `manage.py seed_demo` creates: modelled on the 2020 call by more than
300 civil society groups from more than 60 countries for a UN mechanism on China."""

from campaigns import languages
from signatories.demo_texts import DEMO_TEXTS

DEMO_SLUG = "un-china-rights"

DEMO_LETTER = {
    "title": (
        "Civil society groups worldwide urge the UN to establish an independent mechanism "
        "on human rights violations in China"
    ),
    "addressee": (
        "the UN Secretary-General, the UN High Commissioner for Human Rights, "
        "and the member states of the UN Human Rights Council"
    ),
    "summary": (
        "Organisations from every region call on the UN Human Rights Council to convene a special "
        "session and create an independent international mechanism to monitor and report on "
        "human rights violations by the Chinese government."
    ),
    "goal": 400,
    "contact_email": "coalition@example.org",
    "requires_approval": True,
    "body": """\
Excellencies,

We, the undersigned civil society organisations from every region of the world, write to urge
you to act without further delay on the grave human rights violations committed by the
government of the People's Republic of China.

For years, United Nations experts, treaty bodies and special procedures have raised alarm about:

- the arbitrary detention of **more than a million** Uyghurs and other Turkic Muslims in the
  Xinjiang Uyghur Autonomous Region, and the surveillance, forced labour and family separation
  that surround it;
- the repression of Tibetans' freedom of religion, expression and movement;
- the dismantling of fundamental freedoms in Hong Kong under the National Security Law;
- the persecution of human rights defenders, lawyers, journalists and their families throughout
  the country, and reprisals against those who engage with the UN.

The Chinese government has rejected these concerns and has refused unfettered access to the
UN High Commissioner and to independent experts. Statements alone have not changed its conduct.

## What we ask

1. That the Human Rights Council convene a **special session** to evaluate the range of the
   Chinese government's human rights violations.
2. That the Council create an **independent international mechanism**, such as a special
   rapporteur, a panel of experts or a commission of inquiry, to monitor, analyse and report
   annually on the situation.
3. That UN member states take timely and decisive action, including at the General Assembly,
   to ensure accountability and an end to these violations.

No state should be above scrutiny at the Council. The credibility of the UN human rights system
depends on applying the same standards to the powerful as to the weak.

Respectfully,

*The undersigned organisations*
""",
}

# The demo's signatories: invented organisations (no real group is named), spread the way
# such letters spread: many countries with one or two signatories, a few with dozens.
DEMO_COUNTRIES = [
    "US", "GB", "DE", "FR", "AU", "CA", "JP", "IN", "KE", "NG", "ZA", "BR", "AR", "MX", "CO",
    "PH", "ID", "MY", "TH", "KR", "TW", "NP", "BD", "PK", "LK", "TR", "IT", "ES", "NL", "BE",
    "SE", "NO", "DK", "FI", "IE", "CH", "AT", "CZ", "PL", "LT", "LV", "EE", "UA", "GE", "AM",
    "KG", "KZ", "MN", "UG", "TZ", "GH", "SN", "CM", "ZW", "EG", "TN", "MA", "LB", "IL", "NZ",
    "PE", "CL",
]  # fmt: skip
DEMO_KINDS = [
    "Human Rights Forum", "Lawyers for Justice", "Civic Space Network", "Women's Rights Collective",
    "Press Freedom Centre", "Uyghur Solidarity Committee", "Tibet Support Group",
    "Democracy Watch", "Centre for Rights and Accountability", "Students for Freedom",
    "Faith and Conscience Alliance", "Labour Rights Association",
]  # fmt: skip
DEMO_SIGNATORIES = 321
DEMO_UNNAMED = 12
DEMO_INITIATORS = 5


def demo_signatories(rng) -> list[dict]:
    """The demo's signatories as field values, the same on every run for the same rng seed."""
    weights = [max(1, 40 // (rank + 1)) for rank in range(len(DEMO_COUNTRIES))]
    countries = list(DEMO_COUNTRIES)  # every country at least once, then weighted
    countries += rng.choices(DEMO_COUNTRIES, weights, k=DEMO_SIGNATORIES - len(countries))
    seen: dict[str, int] = {}
    people = []
    for number, country in enumerate(countries):
        kind = DEMO_KINDS[seen.get(country, 0) % len(DEMO_KINDS)]
        repeat = seen.get(country, 0) // len(DEMO_KINDS)
        seen[country] = seen.get(country, 0) + 1
        name = f"{kind} ({country} {repeat + 1})" if repeat else f"{kind} ({country})"
        slug = f"demo-{number}"
        people.append(
            {
                "organisation_name": name,
                "website": f"https://{slug}.example",
                "country": country,
                "contact_name": "Demo Contact",
                "contact_email": f"contact@{slug}.example",
                "list_publicly": number >= DEMO_UNNAMED,
                "initiator": DEMO_UNNAMED <= number < DEMO_UNNAMED + DEMO_INITIATORS,
            }
        )
    return people


# Submissions confirmed by email and waiting for an organiser, so that the review queue shows
# each vetting signal: addresses at the organisation's domain, free-mail and throwaway ones,
# and organisations that signed already under a variant of their name or from another address.
# "demo-N" websites are those of the signatories above.
DEMO_REVIEW_QUEUE = [
    ("Centre for Media Freedom (KE)", "https://mediafreedom-ke.example", "KE",
     "director@mediafreedom-ke.example"),
    ("Andean Indigenous Rights Council", "https://andean-rights.example", "PE",
     "council@andean-rights.example"),
    ("Baltic Forum for Open Societies", "https://baltic-open.example", "LT",
     "info@baltic-open.example"),
    ("Pacific Islands Rights Network", "https://pacific-rights.example", "NZ",
     "hello@pacific-rights.example"),
    ("Coalition for Religious Freedom Asia", "https://crfa.example", "MY",
     "secretariat@crfa.example"),
    ("Grassroots Rights Initiative", "https://grassroots-rights.example", "UG",
     "grassroots.rights.initiative@gmail.com"),
    ("Independent Lawyers Group", "", "PK", "independent.lawyers@yahoo.com"),
    ("Solidarity Now", "https://solidarity-now.example", "MX", "signup@mailinator.com"),
    # The same organisation as approved signatory demo-62, under another form of its name.
    ("LAWYERS FOR JUSTICE (NG), Inc.", "https://lawyers-justice-ng.example", "NG",
     "legal@lawyers-justice-ng.example"),
    # The same website as approved signatory demo-20, another contact.
    ("Human Rights Forum — youth section", "https://www.demo-20.example", "TW",
     "youth@demo-20.example"),
]  # fmt: skip


def demo_letter_fields() -> dict:
    """The demo letter's fields, its text in all six languages: English is authoritative."""
    texts = {"en": {field: DEMO_LETTER[field] for field in languages.TEXT_FIELDS}, **DEMO_TEXTS}
    fields = {key: value for key, value in DEMO_LETTER.items() if key not in texts["en"]}
    for code, text in texts.items():
        fields.update({languages.localized(field, code): text[field] for field in text})
    return {**fields, "language": "en"}
