"""How long the delivered letter's PDF takes with 1,000 named signatories.

PostgreSQL (`undersigned_bench_pdf`, dropped first) with one closed letter: `--named` approved
named signatories over 60 countries, their names in Latin, Cyrillic, Arabic, Chinese, Japanese
and Korean script as their country's would be, and 5% more that asked not to be named (some
keeping their country private). Then `render_letter_pdf` runs in this process `--rounds` times,
each after the cache is cleared (counts read anew), and the median is printed with the size.

    .venv/bin/python bench/letter_pdf.py [--named 1000] [--rounds 3] [--out /tmp/letter.pdf]

Nothing leaves the machine: the PDF fetches nothing. See bench/README.md.
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import production
import psycopg
from production import SERVER
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

DATABASE = "undersigned_bench_pdf"
SLUG = "bench-pdf"

# Words an organisation's name is made of, by script; each country names its organisations in
# one script.
WORDS = {
    "latin": (
        ["Association", "Coalition", "Centre", "Fundación", "Réseau", "Instituto", "Forum",
         "Observatório", "Liga", "Stichting", "Förening", "Komitet", "Inisiatif", "Ṣẹ̀ṣẹ̀"],
        ["for Human Rights", "pour la Justice", "de Derechos Civiles", "für Pressefreiheit",
         "per la Democrazia", "na Haki za Binadamu", "dla Praw Człowieka", "Đoàn kết",
         "İnsan Hakları", "para a Liberdade", "voor Vrede", "for Civic Space"],  # noqa: RUF001
    ),
    "cyrillic": (
        ["Правозахисна група", "Комитет", "Центр", "Фонд", "Ассоциация", "Союз", "Движение"],
        ["«Мемориал»", "гражданских свобод", "защиты прав человека", "за свободу слова",
         "«Вясна»", "независимых журналистов", "правовой помощи"],
    ),
    "arabic": (
        ["مركز", "جمعية", "مؤسسة", "المرصد", "الشبكة", "اتحاد"],
        ["القاهرة لدراسات حقوق الإنسان", "الدفاع عن الحريات", "العدالة والمساواة",
         "حرية الصحافة", "التنمية والديمقراطية", "حقوق المرأة"],
    ),
    "chinese": (
        ["中国", "台灣", "香港", "亞洲", "民間"],
        ["人权观察", "人權促進會", "公民社會聯盟", "新聞自由協會", "法律援助中心"],
    ),
    "japanese": (
        ["ヒューマンライツ", "日本", "アジア", "市民"],
        ["・ナウ", "人権ネットワーク", "報道の自由センター", "平和フォーラム"],
    ),
    "korean": (
        ["참여", "민주사회를 위한", "인권", "한국"],
        ["연대", "변호사모임", "운동사랑방", "시민연합"],
    ),
}  # fmt: skip
COUNTRIES = {
    "latin": [
        "AR", "AT", "BE", "BJ", "BO", "BR", "CA", "CL", "CO", "CD", "CZ", "DE", "ES", "FR", "GB",
        "GH", "HU", "ID", "IT", "KE", "MX", "NG", "NL", "PE", "PH", "PL", "PT", "SE", "SN",
        "TR", "TZ", "UG", "US", "VN", "ZA", "ZM",
    ],
    "cyrillic": ["BG", "BY", "KG", "KZ", "MN", "RS", "RU", "UA"],
    "arabic": ["DZ", "EG", "IQ", "JO", "LB", "MA", "SD", "TN", "YE"],
    "chinese": ["CN", "HK", "TW", "SG"],
    "japanese": ["JP"],
    "korean": ["KR"],
}  # fmt: skip


def environment() -> dict:
    return production.environment(DATABASE)


def organisations(named: int) -> list[tuple[str, str, bool, bool]]:
    """(name, country, named, hides its country): `named` named ones and 5% more unnamed."""
    chooser = random.Random(2026)
    places = [(script, code) for script, codes in COUNTRIES.items() for code in codes]
    rows = []
    for n in range(named + named // 20):
        script, country = places[n % len(places)]
        first, second = WORDS[script]
        name = f"{chooser.choice(first)} {chooser.choice(second)} {n}"
        unnamed = n >= named
        rows.append((name, country, not unnamed, unnamed and n % 3 == 0))
    return rows


def build_database(named: int):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
    )
    from django.utils import timezone

    from campaigns.models import Letter
    from signatories.counts import recount
    from signatories.models import Signature
    from signatories.tokens import new_withdraw_key

    letter = Letter.objects.create(
        title="Benchmark letter: protect civic space",
        slug=SLUG,
        addressee="the UN Human Rights Council",
        status=Letter.Status.CLOSED,
        body=BODY,
        delivered_at=timezone.now(),
        delivered_to="Office of the High Commissioner for Human Rights",
    )
    Signature.objects.bulk_create(
        [
            Signature(
                letter=letter,
                organisation_name=name,
                website=f"https://org{n}.example",
                country=country,
                contact_name="Contact",
                contact_email=f"c{n}@org{n}.example",
                email_canonical=f"c{n}@org{n}.example",
                comment="A private comment for the organisers",
                list_publicly=listed,
                hide_country=hidden,
                status=Signature.Status.APPROVED,
                withdraw_key=new_withdraw_key(),
                email_state=Signature.EmailState.SENT,
            )
            for n, (name, country, listed, hidden) in enumerate(organisations(named))
        ],
        batch_size=1000,
    )
    recount(letter, repair=True)
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    letter.refresh_from_db()
    return letter


BODY = "\n\n".join(
    [
        "We, the undersigned organisations, write to **urge** you to act.",
        *[
            "Civil society organisations across the world face restrictions on their "
            "registration, their funding and their work. Defenders are detained, offices "
            "raided and accounts frozen. We ask the Council to take the measures below."
        ]
        * 6,
        "1. Adopt a resolution on civic space.\n2. Name the governments that restrict it.\n"
        "3. Report back within a year.",
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--named", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    options = parser.parse_args()

    os.environ.update(environment())
    import django

    django.setup()
    from django.core.cache import cache

    from publication.pdf import render_letter_pdf

    print(f"Building {DATABASE} with {options.named:,} named signatories…")
    letter = build_database(options.named)
    timings = []
    for number in range(options.rounds):
        cache.clear()
        started = time.perf_counter()
        pdf = render_letter_pdf(letter)
        timings.append(time.perf_counter() - started)
        print(f"  render {number + 1}: {timings[-1]:.2f} s")
    if options.out:
        options.out.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"{options.named:,} named signatories: median {statistics.median(timings):.2f} s "
        f"over {options.rounds} renders; {len(pdf) / 1024:,.0f} KiB, {pages} pages"
    )


if __name__ == "__main__":
    main()
