"""The report's figures. Every figure is WIDTH pixels wide (DPI fixed, no tight bounding box), so
its pixel size is known before it is drawn and the test can check the PNG header against it."""
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, TwoSlopeNorm  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

DPI = 100
WIDTH = 1200  # pixels
U_LABEL = "u (dimensionless)"
R_LABEL = "|r| (PDE residual, dimensionless)"


@dataclass
class Figure:
    name: str
    file: str
    width: int
    height: int
    title: str
    caption: str


def new_figure(height_px, nrows=1, ncols=1, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH / DPI, height_px / DPI), dpi=DPI,
                             layout="constrained", squeeze=False, **kw)
    return fig, axes


def save(fig, out_dir, name, title, caption):
    w, h = (int(round(v)) for v in fig.get_size_inches() * DPI)
    path = os.path.join(out_dir, name + ".png")
    fig.savefig(path + ".tmp.png", dpi=DPI)
    os.replace(path + ".tmp.png", path)
    plt.close(fig)
    return Figure(name, name + ".png", w, h, title, caption)


# ---- slicing grids of any dimension to a plane ------------------------------------------------

def plane(run, values, shape=None):
    """A 2-D (axis 0 by axis 1) slice of a grid-shaped array; other axes at their middle index.
    Returns (Z, note) with note saying which slice was taken ('' for 2-D problems)."""
    z = np.asarray(values).reshape(shape or run.grid_shape)
    note = ""
    if z.ndim > 2:
        idx = [slice(None), slice(None)] + [n // 2 for n in z.shape[2:]]
        fixed = ", ".join("%s = %.3g" % (run.names[i], run.axes[i][int(np.rint(
            (z.shape[i] // 2) * (len(run.axes[i]) - 1) / max(z.shape[i] - 1, 1)))])
                          for i in range(2, z.ndim))
        note = " Shown: the plane %s–%s at %s (middle of the grid)." % (run.names[0], run.names[1], fixed)
        z = z[tuple(idx)]
    return z, note


def sub_axes(run, shape):
    """Coordinates of the density grid: from density_grid_points.npy when the run wrote it (the
    interior sub-grid pinnsolve uses), else a strided sub-grid of the evaluation grid."""
    if run.density_points is not None and len(run.density_points) == int(np.prod(shape)):
        return [np.unique(run.density_points[:, i]) for i in range(2)]
    out = []
    for i, n in enumerate(shape[:2]):
        full = run.axes[i]
        stride = (len(full) - 1) // max(n - 1, 1) if n > 1 else 1
        out.append(full[::stride][:n])
    return out


def map_panel(fig, ax, run, z, title, cbar_label, norm=None, cmap="viridis", axes=None):
    xs, ys = axes if axes is not None else (run.axes[0], run.axes[1])
    m = ax.pcolormesh(xs, ys, z.T, shading="nearest", norm=norm, cmap=cmap, rasterized=True)
    ax.set_xlabel(run.label(0))
    ax.set_ylabel(run.label(1))
    ax.set_title(title, fontsize=10)
    fig.colorbar(m, ax=ax, label=cbar_label, shrink=0.9)
    return m


def log_norm(*arrays):
    vals = np.concatenate([np.ravel(a) for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return None
    hi = vals.max()
    return LogNorm(vmin=max(vals.min(), hi * 1e-6), vmax=hi)


def pick_rounds(rounds, limit):
    if len(rounds) <= limit:
        return list(rounds)
    idx = np.unique(np.rint(np.linspace(0, len(rounds) - 1, limit)).astype(int))
    return [rounds[i] for i in idx]


# ---- solution ---------------------------------------------------------------------------------

def fig_solution(run, out_dir):
    if run.dim < 2:
        return fig_solution_1d(run, out_dir)
    have_ref = run.reference is not None
    fig, ax = new_figure(380, 1, 3 if have_ref else 1)
    u, note = plane(run, run.prediction)
    if have_ref:
        ref, _ = plane(run, run.reference)
        err, _ = plane(run, run.error)
        lo, hi = min(u.min(), ref.min()), max(u.max(), ref.max())
        map_panel(fig, ax[0, 0], run, u, "prediction u_θ", U_LABEL, plt.Normalize(lo, hi), "RdBu_r")
        map_panel(fig, ax[0, 1], run, ref, "reference u_ref", U_LABEL, plt.Normalize(lo, hi), "RdBu_r")
        e = max(np.abs(err).max(), 1e-300)
        map_panel(fig, ax[0, 2], run, err, "error u_θ − u_ref", "u_θ − u_ref (dimensionless)",
                  TwoSlopeNorm(0.0, -e, e), "PuOr_r")
    else:
        map_panel(fig, ax[0, 0], run, u, "prediction u_θ", U_LABEL, None, "RdBu_r")
    cap = ("Prediction%s on the evaluation grid (%s)." %
           (", reference and their difference" if have_ref else " (the problem has no reference)",
            " × ".join(str(n) for n in run.grid_shape)))
    if have_ref:
        cap += " The error map shows where the network is wrong (relative L2 %.3g, max |error| %.3g)." % (
            run.summary.get("relative_l2", np.nan), run.summary.get("max_error", np.nan))
    return save(fig, out_dir, "solution", "Solution and error", cap + note)


def fig_solution_1d(run, out_dir):
    fig, ax = new_figure(400)
    x = run.axes[0]
    ax[0, 0].plot(x, run.prediction.ravel(), label="prediction u_θ")
    if run.reference is not None:
        ax[0, 0].plot(x, run.reference.ravel(), "k--", label="reference u_ref")
    ax[0, 0].set_xlabel(run.label(0))
    ax[0, 0].set_ylabel(U_LABEL)
    ax[0, 0].legend()
    return save(fig, out_dir, "solution", "Solution", "Prediction and reference on the evaluation grid.")


def fig_slices(run, out_dir):
    """u along axis 0 at three values of axis 1 (Burgers: u(x, t) at t = 0.25, 0.5, 0.75)."""
    if run.dim < 2:
        return None
    u, note = plane(run, run.prediction)
    ref = plane(run, run.reference)[0] if run.reference is not None else None
    t = run.axes[1]
    wanted = [0.25, 0.5, 0.75] if run.names[1] == "t" and t[0] <= 0.25 and t[-1] >= 0.75 else \
        list(t[0] + np.array([0.25, 0.5, 0.75]) * (t[-1] - t[0]))
    fig, ax = new_figure(360, 1, 3, sharey=True)
    shown = []
    for a, w in zip(ax[0], wanted):
        j = int(np.argmin(np.abs(t - w)))
        shown.append(t[j])
        a.plot(run.axes[0], u[:, j], "C0", lw=2, label="prediction u_θ")
        if ref is not None:
            a.plot(run.axes[0], ref[:, j], "k--", lw=1.2, label="exact u_ref")
        a.set_title("%s = %.4g" % (run.names[1], t[j]), fontsize=10)
        a.set_xlabel(run.label(0))
        a.grid(alpha=0.3)
    ax[0, 0].set_ylabel(U_LABEL)
    ax[0, 0].legend(fontsize=9)
    cap = ("Time slices: u along %s at %s = %s (the grid values nearest to %s), prediction against the "
           "%s. A steep front that the network smooths out shows up here first." %
           (run.names[0], run.names[1], ", ".join("%.4g" % v for v in shown),
            ", ".join("%.3g" % v for v in wanted), "exact solution" if ref is not None else "(no reference)"))
    return save(fig, out_dir, "slices", "Slices", cap + note)


# ---- training curves --------------------------------------------------------------------------

def fig_training(run, out_dir):
    m = run.metrics
    if not m or "step" not in m or len(m["step"]) == 0:
        return None
    fig, ax = new_figure(400, 1, 2)
    for a, key, xlabel in ((ax[0, 0], "step", "training step (Adam + L-BFGS iterations)"),
                           (ax[0, 1], "wall_time", "wall time (s)")):
        a.semilogy(m[key], m["loss"], "C0.-", label="loss (mean r² on the training points)")
        a.semilogy(m[key], m["l2"], "C3.-", label="relative L2 error on the grid")
        if "round" in m:
            starts = np.nonzero(np.diff(m["round"]) > 0)[0] + 1
            for i in starts:
                a.axvline(m[key][i - 1], color="0.6", ls=":", lw=1)
        a.set_xlabel(xlabel)
        a.set_ylabel("loss (dimensionless²), relative L2 (1)")
        a.grid(alpha=0.3, which="both")
    ax[0, 0].legend(fontsize=9)
    cap = ("Loss and relative L2 error against training steps (left) and wall time (right), one point per "
           "evaluation (every trainer.eval_every steps and at the end of each phase/round).")
    if run.rounds is not None:
        cap += " Dotted lines: ends of adaptive rounds; wall time includes fitting and sampling."
    return save(fig, out_dir, "training", "Training curves", cap)


# ---- residual maps ----------------------------------------------------------------------------

def overlay(ax, pts, n_max=4000):
    if pts is None or len(pts) == 0:
        return
    if len(pts) > n_max:
        pts = pts[np.linspace(0, len(pts) - 1, n_max).astype(int)]
    ax.scatter(pts[:, 0], pts[:, 1], s=1.5, c="white", edgecolors="none", alpha=0.8)


def fig_residual_final(run, out_dir):
    if run.dim < 2 or run.grid_residuals is None:
        return None
    z, note = plane(run, run.grid_residuals)
    fig, ax = new_figure(480, 1, 1)
    map_panel(fig, ax[0, 0], run, z, "final |r| with the final %d collocation points" % len(run.points),
              R_LABEL, log_norm(z), "magma")
    overlay(ax[0, 0], run.points)
    cap = ("|PDE residual| of the final network on the evaluation grid (log colour scale) with the final "
           "collocation points (white dots%s). Large residual without points nearby is where training "
           "lacks points." % (", projected onto the plane" if run.dim > 2 else ""))
    return save(fig, out_dir, "residual_final", "Final residual", cap + note)


def fig_residual_rounds(run, out_dir, limit):
    rounds = [k for k in run.saved_rounds if k >= 1 and run.round_array("grid_residuals", k) is not None]
    if run.dim < 2 or not rounds:
        return None
    rounds = pick_rounds(rounds, limit)
    maps = [plane(run, run.round_array("grid_residuals", k)) for k in rounds]
    norm = log_norm(*[z for z, _ in maps])
    ncols = min(3, len(rounds))
    nrows = (len(rounds) + ncols - 1) // ncols
    fig, ax = new_figure(340 * nrows + 20, nrows, ncols)
    for i, k in enumerate(rounds):
        a = ax[i // ncols, i % ncols]
        pts = run.round_array("points", k)
        map_panel(fig, a, run, maps[i][0], "round %d: |r| and its %d points" % (k, len(pts)), R_LABEL, norm, "magma")
        overlay(a, pts)
    for j in range(len(rounds), nrows * ncols):
        ax[j // ncols, j % ncols].axis("off")
    cap = ("Per round: |r| on the evaluation grid under the network that scored the pool (before the round's "
           "training; log colour scale shared by the panels) and the points chosen from it (white%s). Points "
           "should gather where |r| is large (Burgers: the shock at x = 0). Rounds shown: %s." %
           (", projected" if run.dim > 2 else "", ", ".join(map(str, rounds))))
    return save(fig, out_dir, "residual_rounds", "Residual and points per round", cap + maps[0][1])


def residual_samples(run, limit):
    """[(label, |r| samples)]: pool residuals per saved round, else training/grid residuals."""
    out = []
    rounds = [k for k in run.saved_rounds if run.round_array("pool_residuals", k) is not None]
    for k in pick_rounds(rounds, limit):
        out.append(("round %d pool" % k, np.abs(run.round_array("pool_residuals", k))))
    if run.residuals is not None:
        out.append(("final, training points", np.abs(run.residuals)))
    if run.grid_residuals is not None:
        out.append(("final, evaluation grid", np.ravel(run.grid_residuals)))
    return out


def fig_residual_hist(run, out_dir, limit):
    samples = [(lab, r[np.isfinite(r)]) for lab, r in residual_samples(run, limit)]
    samples = [(lab, r) for lab, r in samples if r.size]
    if not samples:
        return None
    allv = np.concatenate([r for _, r in samples])
    pos = allv[allv > 0]
    lo, hi = (pos.min(), pos.max()) if pos.size else (1e-12, 1.0)
    lo = max(lo, hi * 1e-8)
    bins = np.logspace(np.log10(lo), np.log10(hi) + 1e-9, 60)
    fig, ax = new_figure(400, 1, 2)
    cmap = plt.get_cmap("viridis")
    for i, (lab, r) in enumerate(samples):
        c = cmap(i / max(len(samples) - 1, 1)) if lab.startswith("round") else ("C3" if "training" in lab else "k")
        ax[0, 0].hist(np.clip(r, lo, hi), bins=bins, histtype="step", density=False, color=c, label=lab,
                      weights=np.full(r.size, 1.0 / r.size))
        s = np.sort(r)
        ax[0, 1].plot(np.clip(s, lo, hi), np.arange(1, s.size + 1) / s.size, color=c, label=lab)
    for a in ax[0]:
        a.set_xscale("log")
        a.set_xlabel(R_LABEL)
        a.grid(alpha=0.3, which="both")
    ax[0, 0].set_ylabel("fraction of points per bin")
    ax[0, 1].set_ylabel("cumulative fraction of points (CDF)")
    ax[0, 1].legend(fontsize=8)
    cap = ("Distribution of |r|: histogram (left, log bins) and empirical CDF (right). Per adaptive round on its "
           "uniform candidate pool (or the training points, for adaptive.pool = points) before the refit, and for "
           "the final network on the training points and on the evaluation grid. A CDF that moves left from round "
           "to round means the residual is shrinking everywhere; a long right tail means a few points carry most "
           "of the residual.")
    return save(fig, out_dir, "residual_hist", "Residual distribution", cap)


# ---- target vs sampler density ----------------------------------------------------------------

def grid_density(values, volume):
    """values >= 0 on a uniform grid -> a density integrating to 1 over the box (grid sum)."""
    v = np.where(np.isfinite(values), values, 0.0)
    s = v.sum()
    return v * (v.size / volume) / s if s > 0 else np.full(v.shape, np.nan)


def fig_density_rounds(run, out_dir, limit):
    rounds = [k for k in run.saved_rounds if k >= 1 and run.round_array("grid_residuals", k) is not None]
    if run.dim < 2 or not rounds:
        return None
    rounds = pick_rounds(rounds, min(limit, 4))
    lower = [a[0] for a in run.axes[:2]]
    upper = [a[-1] for a in run.axes[:2]]
    area = (upper[0] - lower[0]) * (upper[1] - lower[1])
    k_pow = run.weight_power
    fig, ax = new_figure(330 * len(rounds) + 20, len(rounds), 3)
    sub_note = ""
    for row, k in enumerate(rounds):
        r, note = plane(run, run.round_array("grid_residuals", k))
        target = grid_density(r ** k_pow, area)
        logq = run.round_array("grid_logdensity", k)
        pts = run.round_array("points", k)
        hist, xe, ye = np.histogram2d(pts[:, 0], pts[:, 1], bins=(40, 20), range=[[lower[0], upper[0]],
                                                                            [lower[1], upper[1]]], density=True)
        panels = [target]
        q = qaxes = None
        if logq is not None:
            qshape = logq.shape
            lq, _ = plane(run, logq, qshape)
            q = grid_density(np.exp(lq), area)
            qaxes = sub_axes(run, lq.shape)
            if lq.shape != r.shape:
                sub_note = " Sampler density on a coarser sub-grid (%s points) to bound the CVODE cost." % (
                    " × ".join(str(n) for n in lq.shape))
            panels.append(q)
        vmax = max(np.nanpercentile(p, 99.5) for p in panels)
        vmax = max(vmax, np.nanpercentile(hist, 99.5), 1e-300)
        norm = plt.Normalize(0.0, vmax)
        dlabel = "density (1 / area of the %s–%s plane)" % (run.names[0], run.names[1])
        map_panel(fig, ax[row, 0], run, target, "round %d: target p ∝ |r|^%g" % (k, k_pow), dlabel, norm, "cividis")
        if q is not None:
            map_panel(fig, ax[row, 1], run, q, "round %d: sampler density q" % k, dlabel, norm, "cividis", qaxes)
        else:
            ax[row, 1].text(0.5, 0.5, "sampler '%s' has no density" % run.summary.get("sampler", "?"),
                            ha="center", va="center", transform=ax[row, 1].transAxes)
            ax[row, 1].set_axis_off()
        m = ax[row, 2].pcolormesh(xe, ye, hist.T, norm=norm, cmap="cividis", rasterized=True)
        ax[row, 2].set_xlabel(run.label(0))
        ax[row, 2].set_ylabel(run.label(1))
        ax[row, 2].set_title("round %d: histogram of its %d points" % (k, len(pts)), fontsize=10)
        fig.colorbar(m, ax=ax[row, 2], label=dlabel, shrink=0.9)
    cap = ("Per round: the residual-induced target p ∝ |r|^k (k = sampler.weight_power = %g; the fit itself used "
           "|r|^k / mean|r|^k + c, which adds a uniform part), the fitted sampler's density q (exact for flows, "
           "CVODE-integrated CNF for fm), and a 2-D histogram of the points drawn. Target and q are normalised on "
           "the grid; one linear colour scale per row. rounds.csv gives KL(p‖q) and the ESS for each round."
           % k_pow) + sub_note + note
    return save(fig, out_dir, "density_rounds", "Target vs sampler density", cap)


# ---- per-round counts and costs ---------------------------------------------------------------

def fig_rounds(run, out_dir):
    r = run.rounds
    if r is None or len(r.get("round", [])) == 0:
        return None
    k = r["round"]
    fig, ax = new_figure(700, 2, 2)
    a = ax[0, 0]
    kept = r["n_points"] - r["from_sampler"] - r["uniform"]
    a.bar(k, kept, color="0.7", label="kept")
    a.bar(k, r["from_sampler"], bottom=kept, color="C0", label="from the sampler")
    a.bar(k, r["uniform"], bottom=kept + r["from_sampler"], color="C2", label="uniform")
    a.set_xlabel("round")
    a.set_ylabel("training points (count)")
    a.set_title("point counts (round 0: initial set)", fontsize=10)
    a.legend(fontsize=8, loc="lower left")
    t = a.twinx()
    t.plot(k, 100 * r["moved_fraction"], "k.-", label="moved")
    t.set_ylabel("moved fraction (%)")
    t.set_ylim(0, 105)
    a = ax[0, 1]
    bottom = np.zeros_like(k)
    for key, lab, c in (("fit_seconds", "fit", "C0"), ("sample_seconds", "sample", "C1"),
                        ("pool_seconds", "pool + residuals", "C2")):
        if key in r:
            a.bar(k, r[key], bottom=bottom, color=c, label=lab)
            bottom = bottom + r[key]
    a.set_xlabel("round")
    a.set_ylabel("seconds per round")
    a.set_title("sampler cost per round", fontsize=10)
    a.legend(fontsize=8)
    a = ax[1, 0]
    a.semilogy(k, r["l2"], "C3o-", label="relative L2 after the round")
    a.semilogy(k, r["pool_mean_abs_r"], "C0s-", label="mean |r| on the pool (before the refit)")
    a.semilogy(k, r["new_mean_abs_r"], "C1^-", label="mean |r| at the new points (before training)")
    a.set_xlabel("round")
    a.set_ylabel("relative L2 (1), |r| (dimensionless)")
    a.grid(alpha=0.3, which="both")
    a.legend(fontsize=8)
    a = ax[1, 1]
    have = [key for key in ("kl_residual", "kl_fit_target") if key in r and np.isfinite(r[key]).any()]
    if have:
        for key, c in zip(have, ("C4", "C5")):
            a.plot(k, r[key], "o-", color=c, label="KL(p‖q), p = %s" % ("|r|^k" if key == "kl_residual" else "fit target"))
        a.set_ylabel("KL divergence (nats)")
        t = a.twinx()
        for key, c in (("ess_residual", "C4"), ("ess_fit_target", "C5")):
            if key in r:
                t.plot(k, r[key], "x--", color=c, label="ESS fraction, " + key.split("_", 1)[1].replace("_", " "))
        t.set_ylabel("effective sample size / N (dashed)")
        t.set_ylim(0, 1.05)
        a.legend(fontsize=8, loc="upper left")
    else:
        a.text(0.5, 0.5, "no sampler density: no KL / ESS\n(rad has none; or no saved rounds)",
               ha="center", va="center", transform=a.transAxes)
    a.set_xlabel("round")
    a.set_title("sampler density against the residual target (evaluation grid)", fontsize=10)
    for a in ax.ravel():
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
    cap = ("Per adaptive round: the training set's make-up and the share of it that is new (top left); seconds "
           "spent fitting the sampler, drawing points and scoring the pool "
           "(top right); relative L2 and mean |r| (bottom left): new points should have a larger mean |r| than the "
           "pool; KL(p‖q) and effective sample size of the sampler density against the residual target, both "
           "normalised on the evaluation grid (bottom right; solid: KL, dashed: ESS).")
    return save(fig, out_dir, "rounds", "Rounds: counts and costs", cap)


def make_all(run, out_dir, max_rounds):
    makers = [lambda: fig_solution(run, out_dir), lambda: fig_slices(run, out_dir),
              lambda: fig_training(run, out_dir), lambda: fig_residual_final(run, out_dir),
              lambda: fig_residual_rounds(run, out_dir, max_rounds),
              lambda: fig_residual_hist(run, out_dir, max_rounds),
              lambda: fig_density_rounds(run, out_dir, max_rounds), lambda: fig_rounds(run, out_dir)]
    made = []
    for make in makers:
        f = make()
        if f is not None:
            made.append(f)
    return made
