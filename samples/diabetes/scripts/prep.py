"""Prepares the diabetes data: reads every CSV of the input (one file or a folder), drops incomplete rows,
normalises the numeric features to [0, 1] (min-max, as the Azure ML lab's MinMaxScaler does) and writes
``data.csv`` into the PipelineData output folder. Logs the row counts on the step run.

    python3 prep.py --input-data diabetes.csv --prepped-data out/
"""

import argparse
import csv
import os

from azureml.core import Run

FEATURES = ["Pregnancies", "PlasmaGlucose", "DiastolicBloodPressure", "TricepsThickness", "SerumInsulin", "BMI",
            "DiabetesPedigree", "Age"]
LABEL = "Diabetic"


def csv_files(path):
    if os.path.isfile(path):
        return [path]
    found = []
    for root, _dirs, files in os.walk(path):
        found.extend(os.path.join(root, f) for f in files if f.lower().endswith(".csv"))
    return sorted(found)


def read_rows(files):
    rows, header = [], None
    for name in files:
        with open(name, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in FEATURES + [LABEL] if c not in (reader.fieldnames or [])]
            if missing:
                raise SystemExit("%s lacks the column(s) %s" % (name, ", ".join(missing)))
            header = header or reader.fieldnames
            rows.extend(reader)
    return header, rows


def complete(row):
    try:
        for c in FEATURES:
            float(row[c])
        return row[LABEL] in ("0", "1")
    except (TypeError, ValueError):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description="normalise the diabetes data")
    parser.add_argument("--input-data", required=True, help="a CSV file or a folder of CSV files")
    parser.add_argument("--prepped-data", required=True, help="output folder")
    args = parser.parse_args(argv)
    run = Run.get_context()

    files = csv_files(args.input_data)
    if not files:
        raise SystemExit("no CSV file found in %s" % args.input_data)
    print("reading %d file(s) from %s" % (len(files), args.input_data))
    header, rows = read_rows(files)
    run.log("raw_rows", len(rows))
    rows = [r for r in rows if complete(r)]

    low = {c: min(float(r[c]) for r in rows) for c in FEATURES}
    high = {c: max(float(r[c]) for r in rows) for c in FEATURES}
    for r in rows:
        for c in FEATURES:
            span = high[c] - low[c]
            r[c] = repr((float(r[c]) - low[c]) / span) if span else "0.0"

    os.makedirs(args.prepped_data, exist_ok=True)
    target = os.path.join(args.prepped_data, "data.csv")
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    run.log("processed_rows", len(rows))
    print("wrote %d rows to %s" % (len(rows), target))


if __name__ == "__main__":
    main()
