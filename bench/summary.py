"""The one table of `make bench`: the latest results of surge.py (readers), write_surge.py
(signing and confirming) and updates.py (the fan-out), from bench/results/, against the
issue's targets.

    .venv/bin/python bench/summary.py
"""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
CEILING = "ceiling (no-op view)"


def latest(prefix: str) -> dict | None:
    found = sorted(RESULTS.glob(f"{prefix}-2*.json"))
    return json.loads(found[-1].read_text()) if found else None


def main() -> None:
    print("| scenario | throughput | p50 ms | p95 ms | p99 ms | errors | ratio to the ceiling |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    machine = ""
    if reads := latest("surge"):
        machine = reads["machine"]
        top = reads["medians"][CEILING]["per_second"]
        for name, row in reads["medians"].items():
            latency = " | ".join(f"{row[key]:.1f}" for key in ("p50_ms", "p95_ms", "p99_ms"))
            print(f"| {name} | {row['per_second']:,.0f} req/s | {latency} | "
                  f"{row['errors']:.0f} | {row['per_second'] / top:.0%} |")  # fmt: skip
    if writes := latest("write-surge"):
        machine = machine or writes["machine"]
        for surge in ("sign", "confirm"):
            for name, row in writes[surge]["requests"].items():
                print(f"| {name} | {row['per_minute']:,} / min | {row.get('p50_ms', 0):.1f} | "
                      f"{row.get('p95_ms', 0):.1f} | {row.get('p99_ms', 0):.1f} | "
                      f"{row['errors']} | |")  # fmt: skip
        sign, confirm = writes["sign"], writes["confirm"]
        print(f"| confirmation emails delivered | {sign['emails']:,} of {sign['accepted']:,} | "
              f"last {sign['emails_done_after_s']:.1f} s after the surge | | | | |")  # fmt: skip
        verdict = "equal" if confirm["recount_check"] == 0 else "DIFFERENT"
        print(f"| counts after confirming (`recount --check`) | {verdict} | | | | | |")
    if fan_out := latest("updates"):
        delivered, seconds = fan_out["delivered"], fan_out["seconds"]
        print(f"| update fan-out | {delivered:,} recipients in {seconds:.1f} s | | | | "
              f"{fan_out['duplicates']} duplicates | |")  # fmt: skip
    print(f"\n{machine}")


if __name__ == "__main__":
    main()
