#!/usr/bin/env python3
"""Independent check of month_end's figures: per account, the net position (balance owed minus
store credit) at a date is the signed sum of every entry up to that date (the sign convention of
shared/bench/gen.py: charges and positive adjustments add, everything else subtracts). Whatever
creditbook's allocation rules, month_end's opening and closing figures must agree with it.

usage: oracle.py ENTRIES.csv REPORT.csv FROM TO
"""
import csv
import datetime as dt
import sys
from decimal import Decimal


def signed(kind, amount):
    if kind in ("charge", "adjustment"):
        return amount
    return -amount


def main():
    entries, report, start, end = sys.argv[1:5]
    start = dt.date.fromisoformat(start)
    end = dt.date.fromisoformat(end)
    before, upto = {}, {}
    with open(entries, newline="") as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["timestamp"][:10])
            e = signed(row["kind"], Decimal(row["amount"]))
            acc = row["account_id"]
            if day < start:
                before[acc] = before.get(acc, Decimal(0)) + e
            if day <= end:
                upto[acc] = upto.get(acc, Decimal(0)) + e
    checked = 0
    with open(report, newline="") as f:
        for row in csv.DictReader(f):
            acc = row["account_id"]
            opening = Decimal(row["opening_owed"]) - Decimal(row["opening_credit"])
            closing = Decimal(row["closing_owed"]) - Decimal(row["closing_credit"])
            for what, got, want in (("opening", opening, before.get(acc, 0)), ("closing", closing, upto.get(acc, 0))):
                if got != want:
                    sys.exit(f"oracle: {acc} {what} net {got} != {want}")
            if Decimal(row["amount_due"]) != Decimal(row["closing_owed"]):
                sys.exit(f"oracle: {acc} amount due {row['amount_due']} != closing owed")
            checked += 1
    if checked != len(upto):
        sys.exit(f"oracle: {checked} accounts in the report, {len(upto)} in the entries")
    print(f"oracle: {checked} accounts agree with the signed sums")


if __name__ == "__main__":
    main()
