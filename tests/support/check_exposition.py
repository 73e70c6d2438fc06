"""Parse an exposition with the real prometheus_client parsers, then check what they skip.

Usage: check_exposition.py prometheus|openmetrics < exposition

Prints JSON {"families": [[name, type, help, unit]], "samples": [[name, labels, value]]}
(values as Python repr strings, so NaN and infinities survive), or exits 1 with the reason.
Checks beyond the parser: no family split in two, no duplicate series, histogram buckets
in increasing `le` order with non-decreasing counts, the +Inf bucket equal to _count, and
in OpenMetrics `le` and `quantile` values written as canonical numbers (the spec's
"Canonical Numbers": Go's %g with ".0" added; the parser accepts any float there), and
exemplars only on buckets and counters, their labels at most 128 characters, a bucket's
exemplar value inside that bucket.
"""
import decimal
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def go_canonical(value):
    """OpenMetrics' canonical text for a float: Go's shortest %g, plus ".0" when it has
    neither a point nor an exponent (64.0, 0.001, 1.6e-05, 1.048576e+06, +Inf)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    negative, digit_tuple, exponent = decimal.Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    point = len(digits) + exponent  # value = 0.DIGITS * 10**point
    digits = digits.rstrip("0")
    sign = "-" if negative else ""
    if not digits:
        return sign + "0.0"
    scientific = point - 1
    if scientific < -4 or scientific >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if scientific < 0 else '+'}{abs(scientific):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return f"{sign}{digits}{'0' * (point - len(digits))}.0"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def check_canonical(sample):
    """The sample's le and quantile label values, as written, are canonical numbers."""
    for key in ("le", "quantile"):
        raw = sample.labels.get(key)
        if raw is None:
            continue
        wanted = go_canonical(float(raw))
        if raw != wanted:
            fail(f'{sample.name}: {key}="{raw}" is not a canonical number (OpenMetrics wants "{wanted}")')


def check_exemplars(family):
    """Exemplars sit on buckets and counter samples only, with at most 128 characters
    of label names and values, and a bucket's exemplar value lies in that bucket."""
    previous_le = {}
    for sample in family.samples:
        key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        low = previous_le.get(key, -math.inf)
        if sample.name.endswith("_bucket"):
            previous_le[key] = float(sample.labels["le"])
        exemplar = getattr(sample, "exemplar", None)
        if exemplar is None:
            continue
        allowed = sample.name.endswith("_bucket") or (
            family.type == "counter" and sample.name.endswith("_total"))
        if not allowed:
            fail(f"{sample.name}: an exemplar on a sample that cannot have one")
        length = sum(len(k) + len(v) for k, v in exemplar.labels.items())
        if length > 128:
            fail(f"{sample.name}: exemplar labels of {length} characters (at most 128)")
        if sample.name.endswith("_bucket"):
            high = float(sample.labels["le"])
            if not low < exemplar.value <= high:
                fail(f"{sample.name}{{le=\"{sample.labels['le']}\"}}: exemplar value {exemplar.value} is outside the bucket ({low}, {high}]")


def check_histograms(family):
    series = {}
    for sample in family.samples:
        key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": [], "count": None})
        if sample.name.endswith("_bucket"):
            entry["buckets"].append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            entry["count"] = sample.value
    for key, entry in series.items():
        buckets = entry["buckets"]
        if not buckets or buckets[-1][0] != math.inf:
            fail(f"{family.name}{dict(key)}: last bucket is not +Inf")
        for (le_a, n_a), (le_b, n_b) in zip(buckets, buckets[1:]):
            if not le_a < le_b:
                fail(f"{family.name}{dict(key)}: buckets out of order ({le_a} then {le_b})")
            if n_b < n_a:
                fail(f"{family.name}{dict(key)}: bucket counts decrease ({n_a} then {n_b})")
        if entry["count"] is not None and entry["count"] != buckets[-1][1]:
            fail(f"{family.name}{dict(key)}: +Inf bucket {buckets[-1][1]} != _count {entry['count']}")


def main():
    fmt = sys.argv[1]
    text = sys.stdin.read()
    parse = parse_openmetrics if fmt == "openmetrics" else parse_prometheus
    try:
        families = list(parse(text))
    except Exception as error:  # the parser's own verdict
        fail(f"parser rejected the {fmt} exposition: {error!r}")
    names = [family.name for family in families]
    split = {name for name in names if names.count(name) > 1}
    if split:
        fail(f"families split in two: {sorted(split)}")
    seen = set()
    out = {"families": [], "samples": []}
    for family in families:
        out["families"].append([family.name, family.type, family.documentation, family.unit])
        if family.type == "histogram":
            check_histograms(family)
        check_exemplars(family)
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in seen:
                fail(f"duplicate series {sample.name}{sample.labels}")
            seen.add(key)
            if fmt == "openmetrics":
                check_canonical(sample)
            out["samples"].append([sample.name, sample.labels, repr(float(sample.value))])
    json.dump(out, sys.stdout)


main()
