"""Reading a pinnsolve run directory (README: the run directory; docs/reports.md)."""
import csv
import glob
import json
import math
import os
import re

import numpy as np

try:
    import tomllib
except ImportError:  # Python < 3.11: the report still works without config values
    tomllib = None

# Input names per problem (pde/*.c input_names); anything else gets x1, x2, ...
INPUT_NAMES = {"burgers": ["x", "t"], "wave": ["x", "t"], "allen_cahn": ["x", "t"]}
# pinnsolve's problems are nondimensionalised: every input and u are in problem units.
UNIT = "(dimensionless)"


class RunError(Exception):
    pass


def read_csv_columns(path):
    """{column: np.array} with numbers where they parse (nan, inf included), else strings."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    cols = {}
    if not rows:
        return cols
    for key in rows[0]:
        values = [r[key] for r in rows]
        try:
            cols[key] = np.array([float(v) for v in values])
        except ValueError:
            cols[key] = np.array(values)
    return cols


class Run:
    """Everything scripts/report reads from one run directory; absent files are None."""

    def __init__(self, path):
        self.path = path
        self.summary = self._json("summary.json")
        self.config = self._toml("config.toml")
        self.metrics = self._csv("metrics.csv")
        self.rounds = self._csv("rounds.csv")
        self.prediction = self.array("prediction.npy")
        self.reference = self.array("reference.npy")
        self.error = self.array("error.npy")
        self.eval_points = self.array("eval_points.npy")
        self.points = self.array("collocation_points.npy")
        self.residuals = self.array("residuals.npy")
        self.grid_residuals = self.array("grid_residuals.npy")
        self.density_points = self.array("density_grid_points.npy")
        if self.summary is None or self.eval_points is None or self.prediction is None:
            raise RunError("%s is not a pinnsolve run directory (summary.json, eval_points.npy or "
                           "prediction.npy missing)" % path)
        self.problem = self.summary.get("problem", "?")
        self.dim = self.eval_points.shape[1]
        self.names = INPUT_NAMES.get(self.problem, ["x%d" % (i + 1) for i in range(self.dim)])
        self.axes = [np.unique(self.eval_points[:, i]) for i in range(self.dim)]
        self.grid_shape = tuple(len(a) for a in self.axes)
        self.saved_rounds = sorted(int(m.group(1)) for m in
                                   (re.search(r"points_round_(\d+)\.npy$", p)
                                    for p in glob.glob(os.path.join(path, "points_round_*.npy"))) if m)
        self.weight_power = self.config_value("sampler", "weight_power", 1.0)

    def _json(self, name):
        p = os.path.join(self.path, name)
        if not os.path.exists(p):
            return None
        with open(p) as f:
            return json.load(f)

    def _toml(self, name):
        p = os.path.join(self.path, name)
        if tomllib is None or not os.path.exists(p):
            return {}
        with open(p, "rb") as f:
            return tomllib.load(f)

    def _csv(self, name):
        p = os.path.join(self.path, name)
        return read_csv_columns(p) if os.path.exists(p) else None

    def array(self, name):
        p = os.path.join(self.path, name)
        return np.load(p) if os.path.exists(p) else None

    def round_array(self, stem, k):
        return self.array("%s_round_%03d.npy" % (stem, k))

    def config_value(self, section, key, default):
        v = self.config.get(section, {}).get(key, default)
        return v if not isinstance(v, float) or math.isfinite(v) else default

    def label(self, axis):
        return "%s %s" % (self.names[axis], UNIT)

    def on_grid(self, values):
        """values shaped like the grid (the run writes grids flat beyond 4 axes)."""
        return np.asarray(values).reshape(self.grid_shape)


def load_run(path):
    if not os.path.isdir(path):
        raise RunError("no such directory: %s" % path)
    return Run(path)
