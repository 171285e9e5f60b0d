"""Plot bench/run.py's JSON: latency (p50, with p99 as a thin line) against document size.

Run by bench/run.py with the benchmark virtualenv's python (matplotlib lives there):
    python bench/plot.py bench/results/lsp.json bench/results/lsp.png
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PANELS = [
    ("completion (name)", "completion after dep:generic/lib"),
    ("completion (dep:)", "completion after dep:"),
    ("hover", "hover on a DepURL"),
    ("code action", "code action on pkg:generic/zlib"),
    ("didChange → diagnostics, default settings", "one keystroke → diagnostics (default settings)"),
    ("didChange → diagnostics, debounce off", "one keystroke → diagnostics (no wait)"),
    ("keystroke → completion", "one keystroke → completion"),
    ("didOpen → diagnostics", "didOpen → first diagnostics"),
    ("cold start → diagnostics", "spawn → first diagnostics"),
]
STYLE = {"pep725-ls": ("tab:blue", "o"), "tombi": ("tab:orange", "s"), "baseline": ("tab:gray", "^")}


def main(src: str, dst: str) -> None:
    results = json.loads(open(src, encoding="utf-8").read())
    fig, axes = plt.subplots(3, 3, figsize=(17, 12.5))
    for ax, (op, title) in zip(axes.flat, PANELS):
        for name in results["servers"]:
            runs = results["runs"][name]
            xs, p50, p99 = [], [], []
            for size in results["sizes"]:
                stat = runs.get(str(size), {}).get("stats", {}).get(op)
                if stat:
                    xs.append(runs[str(size)]["lines"])
                    p50.append(stat["p50_ms"])
                    p99.append(stat["p99_ms"])
            if not xs:
                continue
            color, marker = STYLE.get(name, ("tab:green", "d"))
            ax.plot(xs, p50, marker=marker, color=color, label=f"{name} p50")
            ax.plot(xs, p99, linestyle=":", color=color, alpha=0.7, label=f"{name} p99")
        ax.set_title(title, fontsize=10)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("document lines")
        ax.set_ylabel("ms")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    m = results["machine"]
    fig.suptitle(f"pep725-ls vs Tombi over stdio: latency against document size — {m['date']}, "
                 f"{m['nproc']} × {m['cpu']}, {results['reps']} repetitions", fontsize=11)
    fig.tight_layout()
    fig.savefig(dst, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
