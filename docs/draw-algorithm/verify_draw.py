#!/usr/bin/env python3
"""An independent cw-draw-v1 verifier in plain Python (standard library only).

Usage: verify_draw.py record.json pool.txt inspectors.txt exclusions.txt
Exit 0 when the record is exactly what the algorithm gives; otherwise prints the first mismatch and exits 1.
Written from docs/draw-algorithm.md alone, to show that a third party can check a draw without carewatch code.
"""
import hashlib
import hmac
import json
import sys


def H(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def lines(data: bytes, columns: int):
    text = data.decode("utf-8")
    rows = text.split("\n")[:-1] if text else []
    return [r.split("\t") for r in rows]


def rerun(record, pool, inspectors, exclusions, trace=None):
    digests = (H(pool), H(inspectors), H(exclusions))
    secret = bytes.fromhex(record["secret"])
    seed = mac(secret, "cw-draw-v1\n" + "\n".join(digests) + "\n" + (record.get("beacon_value") or ""))
    counts = {s["key"]: s["count"] for s in record["strata"]}
    strata = {}
    for stratum, entity in lines(pool, 2):
        strata.setdefault(stratum, []).append(entity)
    chosen = []
    for key in sorted(strata, key=lambda k: k.encode()):
        scored = sorted((mac(seed, "entity\n" + key + "\n" + e), e) for e in strata[key])
        if trace is not None:
            for s, e in scored:
                trace.append(("entity", key, e, s.hex()))
        chosen += [(s, e, key) for s, e in scored[: counts[key]]]
    chosen.sort()
    by_dept = {}
    for inspector, dept in lines(inspectors, 2):
        by_dept.setdefault(dept, []).append(inspector)
    excluded = {(e, i) for e, i, _ in lines(exclusions, 3)}
    load = {}
    selected = []
    for score, entity, stratum in chosen:
        on = []
        for req in sorted(record["requirements"], key=lambda r: r["department_code"].encode()):
            dept, per = req["department_code"], req["per_entity"]
            members = by_dept.get(dept, [])
            cap = -(-len(chosen) * per // len(members)) + record["cap_slack"]
            eligible = [i for i in members
                        if (entity, i) not in excluded and i not in [x for x, _ in on] and load.get(i, 0) < cap]
            ranked = sorted((mac(seed, "inspector\n" + entity + "\n" + i), i) for i in eligible)
            if trace is not None:
                for s, i in ranked:
                    trace.append(("inspector", entity, i, s.hex(), load.get(i, 0), cap))
            if len(ranked) < per:
                raise ValueError(f"entity {entity}: fewer than {per} eligible inspectors of {dept}")
            for _, i in ranked[:per]:
                on.append((i, dept))
                load[i] = load.get(i, 0) + 1
        selected.append({"entity_id": entity, "stratum": stratum, "score": score.hex(),
                         "inspectors": [{"inspector_id": i, "department_code": d} for i, d in on]})
    return digests, seed.hex(), selected


def main(argv):
    if len(argv) != 5:
        print(__doc__)
        return 2
    record = json.load(open(argv[1], encoding="utf-8"))
    pool, inspectors, exclusions = (open(p, "rb").read() for p in argv[2:])
    digests, seed, selected = rerun(record, pool, inspectors, exclusions)
    checks = [
        ("pool_digest", digests[0]), ("inspector_digest", digests[1]), ("exclusion_digest", digests[2]),
        ("commitment", H(bytes.fromhex(record["secret"]))), ("seed", seed),
    ]
    for field, value in checks:
        if record[field] != value:
            print(f"{field} differs: record {record[field]}, re-run {value}")
            return 1
    for i, (want, got) in enumerate(zip(record["selected"], selected)):
        if {k: want[k] for k in got} != got:
            print(f"selected[{i}] differs: record {want}, re-run {got}")
            return 1
    if len(record["selected"]) != len(selected):
        print(f"selected: record lists {len(record['selected'])}, re-run selects {len(selected)}")
        return 1
    print(f"OK: {len(selected)} entities and their inspectors re-run identically")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
