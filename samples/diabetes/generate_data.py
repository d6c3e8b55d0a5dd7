"""Generates a synthetic diabetes data set with the columns of the Azure ML labs' diabetes.csv.

Standard library only and deterministic for a given seed. The label depends on glucose, BMI, age, pregnancies, the
pedigree function and insulin through a logistic model with noise, so a classifier has a real signal to learn.

    python3 generate_data.py --rows 10000 --seed 42 --output diabetes.csv
"""

import argparse
import csv
import math
import os
import random

COLUMNS = ["PatientID", "Pregnancies", "PlasmaGlucose", "DiastolicBloodPressure", "TricepsThickness",
           "SerumInsulin", "BMI", "DiabetesPedigree", "Age", "Diabetic"]


def clamp(value, low, high):
    return max(low, min(high, value))


def poisson(rng, mean):
    # Knuth's method; fine for small means.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def patient(rng, patient_id):
    age = int(clamp(21 + rng.expovariate(1 / 11.0), 21, 77))
    pregnancies = int(clamp(poisson(rng, 1.5 + (age - 21) / 12.0), 0, 14))
    bmi = round(clamp(rng.gauss(31.5, 9.0), 18.0, 56.0), 6)
    glucose = int(clamp(rng.gauss(107 + 0.3 * (age - 30) + 0.4 * (bmi - 31.5), 30), 44, 192))
    pressure = int(clamp(rng.gauss(71 + 0.2 * (age - 30), 16), 24, 117))
    triceps = int(clamp(rng.gauss(28 + 0.8 * (bmi - 31.5), 12), 7, 92))
    insulin = int(clamp(math.exp(rng.gauss(math.log(85) + 0.006 * (glucose - 107), 0.7)), 14, 796))
    pedigree = round(clamp(math.exp(rng.gauss(math.log(0.25), 0.75)), 0.078, 2.3), 9)
    logit = (-0.85
             + 0.035 * (glucose - 107)
             + 0.07 * (bmi - 31.5)
             + 0.06 * (age - 30)
             + 0.18 * (pregnancies - 3)
             + 0.9 * math.log(pedigree / 0.25)
             + 0.002 * (insulin - 100))
    diabetic = 1 if rng.random() < 1 / (1 + math.exp(-logit)) else 0
    return [patient_id, pregnancies, glucose, pressure, triceps, insulin, bmi, pedigree, age, diabetic]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default="diabetes.csv")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    directory = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(directory, exist_ok=True)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(args.rows):
            writer.writerow(patient(rng, 1000000 + i))
    print("wrote %d rows to %s" % (args.rows, args.output))


if __name__ == "__main__":
    main()
