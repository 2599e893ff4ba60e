#!/usr/bin/env python3
"""Trains the two model versions of the safe-rollout walkthrough and writes them where the
deployment YAML files expect them.

  model-1 (blue):  Ridge(alpha=1.0)  on scikit-learn's bundled diabetes data (10 features)
  model-2 (green): Ridge(alpha=0.1)  on the same data: a "new version" that answers visibly differently

The diabetes data ships inside scikit-learn, so nothing is downloaded. Run from anywhere with an
interpreter that has scikit-learn, numpy and joblib (on Debian: /usr/bin/python3 with python3-sklearn):

    /usr/bin/python3 examples/safe-rollout/train.py

Outputs (committed, a few hundred bytes each):
  endpoints/online/model-1/model/sklearn_regression_model.pkl
  endpoints/online/model-2/model/sklearn_regression_model.pkl
  endpoints/online/model-2-js/model/linear_model.json   (model-2's coefficients, for the JavaScript scorer)
"""
import json
import os

import joblib
import numpy
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

HERE = os.path.dirname(os.path.abspath(__file__))
ONLINE = os.path.join(HERE, "endpoints", "online")
VERSIONS = {"model-1": 1.0, "model-2": 0.1}  # folder -> Ridge alpha


def main():
    X, y = load_diabetes(return_X_y=True)
    with open(os.path.join(ONLINE, "model-1", "sample-request.json")) as f:
        sample = numpy.array(json.load(f)["data"])

    for folder, alpha in VERSIONS.items():
        model = Ridge(alpha=alpha).fit(X, y)
        out = os.path.join(ONLINE, folder, "model", "sklearn_regression_model.pkl")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        joblib.dump(model, out)
        print(f"{folder}: Ridge(alpha={alpha}) R^2={model.score(X, y):.3f} "
              f"sample predictions={model.predict(sample).tolist()} -> {os.path.relpath(out, HERE)}")
        if folder == "model-2":
            # The JavaScript variant of green computes intercept + coef . x itself, so it needs
            # plain numbers, not a pickle.
            js = os.path.join(ONLINE, "model-2-js", "model", "linear_model.json")
            os.makedirs(os.path.dirname(js), exist_ok=True)
            with open(js, "w") as f:
                json.dump({
                    "kind": "linear_regression",
                    "trained_with": f"scikit-learn {sklearn.__version__} Ridge(alpha={alpha}), diabetes data",
                    "n_features": int(model.n_features_in_),
                    "intercept": float(model.intercept_),
                    "coef": [float(c) for c in model.coef_],
                }, f, indent=2)
                f.write("\n")
            print(f"model-2-js: coefficients -> {os.path.relpath(js, HERE)}")


if __name__ == "__main__":
    main()
