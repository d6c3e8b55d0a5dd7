"""Trains a logistic regression on the prepared diabetes data (standard library only): gradient descent with L2
regularisation ``--reg``, a seeded 70/30 train/test split, Accuracy and AUC logged on the step run, and the model
written as ``model.json`` to ``--model-output`` (a PipelineData folder) and to ``./outputs`` (Azure ML's artifact
folder, from which it is registered as a model).

    python3 train.py --training-data prepped/ --reg 0.01 --model-output model/
"""

import argparse
import csv
import json
import math
import os
import random

from azureml.core import Run

FEATURES = ["Pregnancies", "PlasmaGlucose", "DiastolicBloodPressure", "TricepsThickness", "SerumInsulin", "BMI",
            "DiabetesPedigree", "Age"]
LABEL = "Diabetic"


def load(path):
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(root, f) for root, _d, fs in os.walk(path) for f in fs if f.lower().endswith(".csv"))
    if not files:
        raise SystemExit("no CSV file found in %s" % path)
    xs, ys = [], []
    for name in files:
        with open(name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                xs.append([float(row[c]) for c in FEATURES])
                ys.append(int(row[LABEL]))
    return xs, ys


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def standardise(xs):
    n, k = len(xs), len(xs[0])
    mean = [sum(x[j] for x in xs) / n for j in range(k)]
    std = [math.sqrt(sum((x[j] - mean[j]) ** 2 for x in xs) / n) or 1.0 for j in range(k)]
    return mean, std


def fit(xs, ys, reg, epochs, rate):
    """Batch gradient descent on the mean log loss plus reg/2 * |w|^2 (the bias is not regularised)."""
    k, n = len(xs[0]), len(xs)
    w, b = [0.0] * k, 0.0
    for _ in range(epochs):
        gw, gb = [0.0] * k, 0.0
        for x, y in zip(xs, ys):
            err = sigmoid(b + sum(wj * xj for wj, xj in zip(w, x))) - y
            gb += err
            for j in range(k):
                gw[j] += err * x[j]
        w = [wj - rate * (g / n + reg * wj) for wj, g in zip(w, gw)]
        b -= rate * gb / n
    return w, b


def auc(scores, ys):
    """Area under the ROC curve: the probability a positive scores above a negative (ties count half)."""
    ranked = sorted(zip(scores, ys))
    rank_sum, i, positives = 0.0, 0, sum(ys)
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2.0
        rank_sum += average_rank * sum(y for _s, y in ranked[i:j])
        i = j
    negatives = len(ys) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def main(argv=None):
    parser = argparse.ArgumentParser(description="train a logistic regression on the diabetes data")
    parser.add_argument("--training-data", required=True, help="a CSV file or a folder of CSV files")
    parser.add_argument("--reg", type=float, default=0.01, help="L2 regularisation rate")
    parser.add_argument("--model-output", help="folder to write model.json into (e.g. a PipelineData output)")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    run = Run.get_context()

    xs, ys = load(args.training_data)
    order = list(range(len(xs)))
    random.Random(args.seed).shuffle(order)
    cut = int(len(order) * 0.7)
    train, test = order[:cut], order[cut:]
    mean, std = standardise([xs[i] for i in train])
    scale = lambda x: [(v - m) / s for v, m, s in zip(x, mean, std)]  # noqa: E731
    train_x, train_y = [scale(xs[i]) for i in train], [ys[i] for i in train]
    test_x, test_y = [scale(xs[i]) for i in test], [ys[i] for i in test]
    print("training on %d rows, testing on %d, reg %g" % (len(train_x), len(test_x), args.reg))

    run.log("Regularization Rate", args.reg)
    w, b = fit(train_x, train_y, args.reg, args.epochs, rate=0.5)
    scores = [sigmoid(b + sum(wj * xj for wj, xj in zip(w, x))) for x in test_x]
    accuracy = sum((s >= 0.5) == (y == 1) for s, y in zip(scores, test_y)) / float(len(test_y))
    area = auc(scores, test_y)
    run.log("Accuracy", accuracy)
    run.log("AUC", area)
    print("Accuracy %.4f  AUC %.4f" % (accuracy, area))

    model = {"type": "logistic_regression", "features": FEATURES, "label": LABEL, "weights": w, "bias": b,
             "feature_mean": mean, "feature_std": std, "reg": args.reg,
             "metrics": {"Accuracy": accuracy, "AUC": area}}
    text = json.dumps(model, indent=2)
    for folder in filter(None, [args.model_output, "outputs"]):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
    run.register_model("diabetes_model", model_path="outputs/model.json",
                       tags={"Training context": "Pipeline"}, properties={"AUC": area, "Accuracy": accuracy})


if __name__ == "__main__":
    main()
