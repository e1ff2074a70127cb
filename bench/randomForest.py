"""The original pipeline's RandomForestRegressor(max_depth=10) on wine-tui's splits (benchmark only).

Reads the splits bench/randomForest.ts wrote (CSV line numbers of the de-duplicated rows per seed),
encodes as the original pipeline did (winery, wine, year, region, type one-hot; rating, body with
missing values filled by the training mean), fits on the price in euros and writes the test
predictions; the metrics are computed in TypeScript exactly as for wine-tui's own model.
"""
import csv
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestRegressor

CATEGORICAL = ["winery", "wine", "year", "region", "type"]
NUMERICAL = ["rating", "body"]


def main(csv_path, splits_path, out_path):
    with open(csv_path, newline="", encoding="utf-8-sig") as handle:
        # One record per line in this file: record k is on line k + 2 (the header is line 1).
        by_line = {k + 2: row for k, row in enumerate(csv.DictReader(handle))}
    with open(splits_path, encoding="utf-8") as handle:
        splits = json.load(handle)

    def missing(value):
        return value.strip() in ("", "NA")

    results = []
    for split in splits:
        train = [by_line[line] for line in split["train"]]
        test = [by_line[line] for line in split["test"]]
        levels = {name: sorted({row[name] for row in train}) for name in CATEGORICAL}
        index = {name: {level: k for k, level in enumerate(levels[name])} for name in CATEGORICAL}
        means = {}
        for name in NUMERICAL:
            values = [float(row[name]) for row in train if not missing(row[name])]
            means[name] = sum(values) / len(values)
        width = len(NUMERICAL) + sum(len(levels[name]) for name in CATEGORICAL)

        def encode(rows):
            x = np.zeros((len(rows), width))
            for r, row in enumerate(rows):
                for c, name in enumerate(NUMERICAL):
                    x[r, c] = means[name] if missing(row[name]) else float(row[name])
                offset = len(NUMERICAL)
                for name in CATEGORICAL:
                    k = index[name].get(row[name])
                    if k is not None:
                        x[r, offset + k] = 1.0
                    offset += len(levels[name])
            return x

        model = RandomForestRegressor(max_depth=10, random_state=split["seed"], n_jobs=1)
        model.fit(encode(train), np.array([float(row["price"]) for row in train]))
        results.append({"seed": split["seed"], "predicted": model.predict(encode(test)).tolist()})
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main(*sys.argv[1:4])
