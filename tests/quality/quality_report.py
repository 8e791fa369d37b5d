"""The evaluation table: per workload, the learned profile side by side with the exact-paths
baseline. Reads what run.sh left in BASE/WORKLOAD/: the access lists (test.tsv, sample.tsv,
probes.tsv), the profiles, and `armorer check` output for each pair (PROFILE.LIST.out)."""
import collections
import os

from quality import read_tsv, unescape_field

PROFILES = ("armorer", "exact")


def refused(path):
    """check output -> {(kind, object): letters}; exec/unix lines are file accesses."""
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            kind, _subject, obj, letters = line.rstrip("\n").split("\t")
            kind = "file" if kind in ("exec", "unix") else kind
            out.setdefault((kind, unescape_field(obj)), set()).update(letters)
    return out


def needed(kind, letters):
    return set(letters) if kind == "file" else {"-"}


def rule_count(profile):
    count, inside = 0, False
    with open(profile, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            text = line.strip()
            if text.startswith("profile "):
                inside = True
            elif inside and text.endswith(",") and not text.startswith("#"):
                count += 1
    return count


def measure(directory, profile):
    lists = ("test", "sample", "probes")
    test, sample, probes = (read_tsv(os.path.join(directory, f"{name}.tsv")) for name in lists)
    out = {name: refused(os.path.join(directory, f"{profile}.{name}.out")) for name in lists}
    total = allowed = 0
    missing = []
    for (kind, obj), (_owner, letters) in test.items():
        need = needed(kind, letters)
        denied = need & out["test"].get((kind, obj), set())
        total += len(need)
        allowed += len(need) - len(denied)
        if denied:
            missing.append((obj, "".join(sorted(denied))))
    grants = {}
    for letter in "rwx":
        files = [obj for (kind, obj) in sample if letter not in out["sample"].get((kind, obj), set())]
        grants[letter] = files
    open_probes = [(obj, "".join(sorted(letters)) or kind)
                   for (kind, obj), (_owner, letters) in probes.items()
                   if not out["probes"].get((kind, obj))]
    return {
        "complete": 100.0 * allowed / total if total else 100.0,
        "accesses": total,
        "missing": sorted(missing),
        "sample": len(sample),
        "grants": grants,
        "probes": (len(probes) - len(open_probes), len(probes)),
        "open_probes": sorted(open_probes),
        "rules": rule_count(os.path.join(directory, f"{profile}.profile")),
    }


def prefix(path, depth=3):
    parts = path.split("/")
    return "/".join(parts[: depth + 1]) + ("/…" if len(parts) > depth + 1 else "")


def report(base, workloads):
    results = {w: {p: measure(os.path.join(base, w), p) for p in PROFILES} for w in workloads}
    print("| workload | test accesses | completeness | over-grant r | over-grant w | over-grant x "
          "| probes denied | rules |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    pct = lambda v: f"{v:.1f}%"
    for w in workloads:
        a, e = results[w]["armorer"], results[w]["exact"]
        grant = lambda m, l: pct(100.0 * len(m["grants"][l]) / m["sample"]) if m["sample"] else "-"
        cells = [f"{pct(a['complete'])} / {pct(e['complete'])}"]
        cells += [f"{grant(a, l)} / {grant(e, l)}" for l in "rwx"]
        cells.append(f"{a['probes'][0]}/{a['probes'][1]} / {e['probes'][0]}/{e['probes'][1]}")
        cells.append(f"{a['rules']} / {e['rules']}")
        print(f"| {w} | {a['accesses']} | " + " | ".join(cells) + " |")
    print()
    sampled = results[workloads[0]]["armorer"]["sample"] if workloads else 0
    print(f"Each cell: armorer's profile / exact-paths baseline. Over-grant: share of {sampled} "
          "sampled host files allowed.")
    for w in workloads:
        a = results[w]["armorer"]
        print(f"\n### {w}\n")
        print(f"refused test accesses ({len(a['missing'])}):")
        for obj, letters in a["missing"][:12]:
            print(f"- `{obj}` {letters}")
        if len(a["missing"]) > 12:
            print(f"- … {len(a['missing']) - 12} more")
        for letter in "rwx":
            groups = collections.Counter(prefix(p) for p in a["grants"][letter])
            if groups:
                top = ", ".join(f"`{g}` {n}" for g, n in groups.most_common(4))
                print(f"over-granted {letter} ({len(a['grants'][letter])}): {top}")
        for obj, letters in a["open_probes"]:
            print(f"probe ALLOWED: `{obj}` {letters}")
