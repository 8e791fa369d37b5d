"""The evaluation table: per workload, the learned profile side by side with the exact-paths
baseline. Reads what run.sh left in BASE/WORKLOAD/: the access lists (same.tsv and other.tsv,
the test runs that took the training's code paths and those that took others; sample.tsv,
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


def completeness(accesses, refusals):
    """(share allowed, accesses, refused ones) of an access list."""
    total = allowed = 0
    missing = []
    for (kind, obj), (_owner, letters) in accesses.items():
        need = needed(kind, letters)
        denied = need & refusals.get((kind, obj), set())
        total += len(need)
        allowed += len(need) - len(denied)
        if denied:
            missing.append((obj, "".join(sorted(denied))))
    return 100.0 * allowed / total if total else 100.0, total, sorted(missing)


def measure(directory, profile):
    lists = ("same", "other", "sample", "probes")
    data = {name: read_tsv(os.path.join(directory, f"{name}.tsv")) for name in lists}
    out = {name: refused(os.path.join(directory, f"{profile}.{name}.out")) for name in lists}
    result = {}
    for name in ("same", "other"):
        result[name], result[name + "_accesses"], result[name + "_missing"] = completeness(data[name], out[name])
    sample, probes = data["sample"], data["probes"]
    grants = {}
    for letter in "rwx":
        grants[letter] = [obj for (kind, obj) in sample if letter not in out["sample"].get((kind, obj), set())]
    open_probes = [(obj, "".join(sorted(letters)) or kind)
                   for (kind, obj), (_owner, letters) in probes.items()
                   if not out["probes"].get((kind, obj))]
    result.update({
        "sample": len(sample),
        "grants": grants,
        "probes": (len(probes) - len(open_probes), len(probes)),
        "open_probes": sorted(open_probes),
        "rules": rule_count(os.path.join(directory, f"{profile}.profile")),
    })
    return result


def prefix(path, depth=3):
    parts = path.split("/")
    return "/".join(parts[: depth + 1]) + ("/…" if len(parts) > depth + 1 else "")


def report(base, workloads):
    results = {w: {p: measure(os.path.join(base, w), p) for p in PROFILES} for w in workloads}
    print("| workload | test accesses (same / other paths) | allowed, same paths | allowed, other paths "
          "| over-grant r | over-grant w | over-grant x | probes denied | rules |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    pct = lambda v: f"{v:.1f}%"
    for w in workloads:
        a, e = results[w]["armorer"], results[w]["exact"]
        grant = lambda m, l: pct(100.0 * len(m["grants"][l]) / m["sample"]) if m["sample"] else "-"
        cells = [f"{a['same_accesses']} / {a['other_accesses']}"]
        cells += [f"{pct(a[k])} / {pct(e[k])}" for k in ("same", "other")]
        cells += [f"{grant(a, l)} / {grant(e, l)}" for l in "rwx"]
        cells.append(f"{a['probes'][0]}/{a['probes'][1]} / {e['probes'][0]}/{e['probes'][1]}")
        cells.append(f"{a['rules']} / {e['rules']}")
        print(f"| {w} | " + " | ".join(cells) + " |")
    print()
    sampled = results[workloads[0]]["armorer"]["sample"] if workloads else 0
    print(f"Each cell: armorer's profile / exact-paths baseline. Over-grant: share of {sampled} "
          "sampled host files allowed.")
    for w in workloads:
        a = results[w]["armorer"]
        print(f"\n### {w}\n")
        for name in ("same", "other"):
            missing = a[name + "_missing"]
            print(f"refused test accesses, {name} paths ({len(missing)}):")
            for obj, letters in missing[:12]:
                print(f"- `{obj}` {letters}")
            if len(missing) > 12:
                print(f"- … {len(missing) - 12} more")
        for letter in "rwx":
            groups = collections.Counter(prefix(p) for p in a["grants"][letter])
            if groups:
                top = ", ".join(f"`{g}` {n}" for g, n in groups.most_common(4))
                print(f"over-granted {letter} ({len(a['grants'][letter])}): {top}")
        for obj, letters in a["open_probes"]:
            print(f"probe ALLOWED: `{obj}` {letters}")
