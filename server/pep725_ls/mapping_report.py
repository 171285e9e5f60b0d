"""``pep725-ls mapping report``: how much of the PEP 804 registry maps to nixpkgs.

Counts the canonical registry DepURLs whose first mapped nixpkgs attribute is present in
the vendored nixpkgs data (nix-index, attrs.tsv), lists those that are not, and says which
are exotic (left out of the target, with the reason recorded in curated.toml).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .data_index import DataIndex

TARGET = 0.95


@dataclass
class CoverageRow:
    depurl_id: str
    attrs: list[str]
    present: bool
    source: str
    exotic: str = ""


@dataclass
class Coverage:
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def counted(self) -> list[CoverageRow]:
        return [r for r in self.rows if not r.exotic]

    @property
    def mapped(self) -> list[CoverageRow]:
        return [r for r in self.counted if r.present]

    @property
    def ratio(self) -> float:
        return len(self.mapped) / len(self.counted) if self.counted else 1.0

    @property
    def emm_ratio(self) -> float:
        """For comparison: the share the PEP 804 reference nix mapping alone maps to a present attr."""
        return self._emm_present / len(self.counted) if self.counted else 1.0

    _emm_present: int = 0


def coverage(index: DataIndex) -> Coverage:
    cov = Coverage()
    emm_present = 0
    for depurl_id in sorted(index.canonical_ids()):
        mapping = index.nixpkgs(depurl_id)
        if mapping is None:
            cov.rows.append(CoverageRow(depurl_id, [], False, "none"))
            continue
        first = mapping.attrs[0] if mapping.attrs else None
        present = bool(first and first.present)
        cov.rows.append(CoverageRow(depurl_id, [a.attr for a in mapping.attrs], present, mapping.source, mapping.exotic))
        if not mapping.exotic and mapping.emm and index.nix_attr(mapping.emm[0]) is not None:
            emm_present += 1
    cov._emm_present = emm_present
    return cov


def report(index: DataIndex, fmt: str = "text") -> tuple[str, bool]:
    """The report text and whether the target is met."""
    cov = coverage(index)
    ok = cov.ratio >= TARGET
    if fmt == "json":
        return json.dumps({
            "canonical": len(cov.rows), "counted": len(cov.counted), "mapped": len(cov.mapped),
            "ratio": round(cov.ratio, 4), "target": TARGET, "emm_ratio": round(cov.emm_ratio, 4),
            "curated_total": len(index.curated_ids()), "corrections": index.corrections,
            "rows": [asdict(r) for r in cov.rows],
        }, indent=2), ok
    meta = index.data_meta
    lines = [
        f"nixpkgs data: {meta.get('nixpkgs_snapshot', '?')}; curated DepURLs: {len(index.curated_ids())}",
        f"canonical PEP 804 registry DepURLs: {len(cov.rows)} "
        f"({len(cov.rows) - len(cov.counted)} exotic, not counted)",
        f"mapped to an attribute present in the nixpkgs data: {len(cov.mapped)}/{len(cov.counted)} "
        f"= {cov.ratio:.1%} (target {TARGET:.0%}: {'met' if ok else 'NOT met'})",
        f"the PEP 804 reference nix mapping alone: {cov.emm_ratio:.1%}",
    ]
    missing = [r for r in cov.counted if not r.present]
    if missing:
        lines += ["", "not mapped:"] + [f"  {r.depurl_id}  {', '.join(r.attrs) or '(no attribute)'}" for r in missing]
    exotic = [r for r in cov.rows if r.exotic]
    if exotic:
        lines += ["", "exotic (not counted):"] + [f"  {r.depurl_id}: {r.exotic}" for r in exotic]
    if index.corrections:
        lines += ["", f"EMM nix rows corrected: {len(index.corrections)}"]
        for c in index.corrections:
            lines.append(f"  {c['id']}: {', '.join(c['emm']) or '(none)'} -> {', '.join(c['ours'])}")
    return "\n".join(lines), ok
