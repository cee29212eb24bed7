#!/usr/bin/env python3
"""The targets of tests/security/sqlmap-scan, the scan itself and its report (standard library only).

The routes and their parameters come from docs/api/openapi.yaml (query and path parameters, request bodies and
their examples); who may call each route comes from tests/security/authz-matrix.txt. This file adds what those
two cannot say: real object ids from the freshly seeded demo database, a few bodies the OpenAPI file has no
example for, and which account to sign in as where the caller must be a particular person (an inspector on the
panel, the inspector assigned to a result).

Subcommands:
  scan  --base URL --repo DIR --work DIR --db NAME --server-log FILE [--quick] [--jobs N] [--only REGEX]
        prepares the objects, builds the targets, runs sqlmap on each, prints the summary; exit 1 when any
        parameter is injectable or a target could not be scanned
  plan  [--quick]      prints the targets with placeholder ids (no server, no database)

Every injection point is marked explicitly with sqlmap's custom marker '*': path parameters, query values,
JSON values (strings, numbers, booleans, strings in arrays, and the keys of the objects that are maps), CSV
cells, file names. Once a request has a marker, sqlmap tests only marked points (that is why '-p' is not used).
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

DEMO_PASSWORD = "Jiujiang#2026"
OWNER_CODE = "52360402MJA5K2818A"   # 九江市濂溪区康乐养老院, inst.kangle
OTHER_CODE = "52360403MJB7Q3914B"   # 九江市浔阳区小星星托育中心, inst.xiaoxingxing
LOGIN_USER = "sqlmap.login"         # created by the scan: the target of the sign-in route (its failures lock it)
AGENT_USER = "sqlmap.agent"         # created by the scan: signs in with a marked User-Agent
VICTIM_USER = "sqlmap.victim"       # created by the scan: the account the /admin/users/{id} routes act on
SCAN_PASSWORD = "Scan#Sqlmap-2026"
CALLERS = ["anon", "admin", "officer", "inspector", "bureau", "inst", "other"]
CALLER_USERS = {"admin": "admin", "officer": "mz.wangli", "inspector": "mz.liuqiang", "bureau": "sj.credit",
                "inst": "inst.kangle", "other": "inst.xiaoxingxing"}
# Whose session a route is scanned with, when the matrix allows several: the broadest reader first.
CALLER_PREFERENCE = ["officer", "admin", "inst", "inspector", "bureau", "other"]

# Routes not scanned although they take input, and why. Only routes that would end the scan's own session.
SKIPPED = {
    "POST /api/v1/auth/logout": "ends the session it is called with (the scan's own); it reads no parameter but "
                                "the session token",
}

# Objects whose keys are data (maps), not field names: their keys are marked too.
MAP_FIELDS = {"ratios", "stratum_counts", "points", "vetoes", "reasons"}

# Bodies for operations the OpenAPI file gives a schema but no example for ({placeholders} from the context).
BODIES = {
    "POST /api/v1/admin/users/{id}/password": {"password": "Victim#Reset-2026"},
    "POST /api/v1/special-lists/{code}/members": {"credit_code": "{owner_code}", "reason": "投诉较多，列入重点监管"},
    "PUT /api/v1/inspection-tasks/{id}": "@POST /api/v1/inspection-tasks",
    "POST /api/v1/hazards/{id}/deadline": {"deadline": "2026-12-31", "reason": "整改涉及外墙施工，调整期限"},
    "PUT /api/v1/ratings/{id}/scores": {"lines": [{"code": "1.1", "points": 8.5, "note": "交通便利"},
                                                  {"code": "V01", "passed": True}], "submit": False},
    "POST /api/v1/ratings/{id}/approve": {"note": "评定程序完整，同意发布"},
    "POST /api/v1/auth/login": {"username": LOGIN_USER, "password": SCAN_PASSWORD},
}

# Fields replaced in an example body where the example cannot pass validation against the demo data.
BODY_FIELDS = {
    "POST /api/v1/institutions": {"credit_code": "{new_credit_code}"},   # a code no institution has yet
    "POST /api/v1/inspectors": {"user_id": "{new_inspector_user_id}"},
    "PUT /api/v1/inspection-results/{id}": {"inspected_on": "{today}"},
    "POST /api/v1/credit/lists/{list}/entries": {"basis": "《养老机构管理办法》第四十六条", "entity": OWNER_CODE},
}

# Example values that name demo objects by made-up ids: replaced by real ones (by key, anywhere in a body).
BODY_IDS = {"institution_id": "{owner_id}", "record_id": "{record_id}", "user_id": "{victim_id}",
            "plan_id": "{plan_id}", "inspector_ids": "{panel_inspector_ids}"}

# Query parameter values (by name; a route's own entry wins): values that match demo rows where possible.
QUERY_VALUES = {
    "q": "康乐", "credit_code": OWNER_CODE, "entity": OWNER_CODE, "region": "360402", "institution_id": "{owner_id}",
    "task_id": "{task_id}", "department": "MZ", "actor": "admin", "action": "user.create", "object_type": "user",
    "object_id": "{victim_id}", "from": "2020-01-01", "to": "2030-12-31", "days": "365", "year": "2026",
    "capacity_min": "10", "capacity_max": "500", "name": "licence.pdf", "entry": "{entry_id}", "depth": "2",
    "expiring_within_days": "3650", "partial": "true", "page": "1", "page_size": "20",
}
# Values tried in turn for a search parameter until one matches rows (a boolean condition can then change the page).
QUERY_CANDIDATES = {"q": ["康乐", "养老", "九江", "托育", "颐", "wang", "mz"]}
QUERY_ROUTE_VALUES = {
    "GET /api/v1/institutions/{id}/diff": {"from": "{version_min}", "to": "{version_max}"},
    "GET /api/v1/credit/check": {"action": "subsidy"},
    "GET /api/v1/credit/lists/{list}/entries": {"q": "康乐"},
    "GET /api/v1/public/institutions": {"q": "康乐"},
    "POST /api/v1/inspection-results/{id}/evidence": {"name": "record.pdf"},
    "GET /api/v1/admin/users": {"q": "wang"},
}

# Path parameters: the value for the pattern up to and including the parameter (longest suffix wins).
PATH_VALUES = {
    "/institutions/{id}": "{owner_id}",
    "/public/institutions/{id}": "{owner_id}",
    "/admin/users/{id}": "{victim_id}",
    "/filings/{id}": "{filing_id}",
    "/documents/{sha256}": "{document_sha}",
    "/jobs/{id}": "{job_id}",
    "/inspectors/{id}": "{inspector_id}",
    "/special-lists/{code}": "KEY-2026",
    "/special-lists/{code}/members/{id}": "{special_member_id}",
    "/inspection-tasks/{id}": "{task_id}",
    "/public/tasks/{id}": "{task_id}",
    "/public/draws/{id}": "{task_id}",
    "/inspection-results/{id}": "{result_id}",
    "/inspection-results/{id}/evidence/{sha256}": "{result_evidence_sha}",
    "/hazards/{id}": "{hazard_id}",
    "/evidence/{sha256}": "{evidence_sha}",
    "/complaints/{id}": "{complaint_id}",
    "/public/complaints/{tracking_code}": "{tracking_code}",
    "/rating-schemes/{id}": "{scheme_id}",
    "/ratings/{id}": "{rating_id}",
    "/challenges/{cid}": "{challenge_id}",
    "/credit/entities/{code}": OWNER_CODE,
    "/credit/lists/{list}": "watchlist",
    "/public/credit/lists/{list}": "blacklist",
    "/entries/{id}": "{entry_id}",
    "/credit/feedback/{id}": "{feedback_id}",
    "/credit/repairs/{id}": "{repair_id}",
    "/public/credit/reports/{number}": "{report_number}",
}

# Query parameters a route reads that openapi.yaml does not list: the export takes the directory search's
# parameters (modules/registry/src/handlers.cpp, exportFile -> searchQuery).
EXTRA_QUERY = {"GET /api/v1/institutions/export.xlsx": "GET /api/v1/institutions"}

# Path parameters of single routes that need another object than PATH_VALUES gives.
ROUTE_PATH_VALUES = {
    "GET /api/v1/filings/{id}/documents": {"id": "{filing_accepted_id}"},
    "GET /api/v1/filings/{id}/documents/{sha256}": {"id": "{filing_accepted_id}"},
    "GET /api/v1/public/institutions/{id}/rating": {"id": "{rated_id}"},
}
# The write routes of a task act on a draft task made for the scan (the seeded ones are drawn).
for _route in ("", "/lock", "/draw", "/swaps", "/start"):
    ROUTE_PATH_VALUES["%s /api/v1/inspection-tasks/{id}%s" % ("PUT" if not _route else "POST", _route)] = {
        "id": "{task_draft_id}"}
# The write routes of the rectification loop act on a hazard of 康乐 made for the scan (the seeded one is closed).
for _route in ("acknowledge", "extend", "deadline", "submit", "verify", "reject", "reopen", "evidence"):
    ROUTE_PATH_VALUES["POST /api/v1/hazards/{id}/" + _route] = {"id": "{hazard_open_id}"}

# Writes moved just before another (in this order), so that more of them find their object in a state they act on:
# the open filing gets a document, is returned, resubmitted, then accepted; the direct edit of the institution
# comes after (an edit makes an open filing stale: 409 on acceptance); evidence before the hazard's submission.
WRITE_BEFORE = [("POST /api/v1/filings/{id}/return", "POST /api/v1/filings/{id}/resubmit"),
                ("POST /api/v1/filings/{id}/documents", "POST /api/v1/filings/{id}/return"),
                ("PATCH /api/v1/institutions/{id}", "POST /api/v1/inspection-items"),
                ("POST /api/v1/hazards/{id}/evidence", "POST /api/v1/hazards/{id}/submit")]

# Who calls a route when the matrix's choice is not enough: the person the object needs.
CALLER_OVERRIDES = {
    "PUT /api/v1/inspection-results/{id}": "{result_inspector}",
    "POST /api/v1/inspection-results/{id}/evidence": "{result_inspector}",
    "POST /api/v1/inspection-results/{id}/submit": "{result_inspector}",
    "PUT /api/v1/ratings/{id}/scores": "{panel_user}",
    "POST /api/v1/ratings/{id}/challenges/{cid}/answer": "{panel_user}",
    "GET /api/v1/jobs/{id}": "officer",
    "POST /api/v1/hazards/{id}/extend body request": "inst",
    "POST /api/v1/filings": "other",   # 康乐 has the scan's open filing: a second one would be 409   # the institution asks, the officer decides
}

PDF = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_SCAN = PDF.replace("%%EOF", "% sqlmap scan\n%%EOF")   # other bytes than the prepared uploads: not a duplicate

# The quick set (CI): a search query parameter, public and signed-in; a JSON write; a path id; the sign-in body.
QUICK = [
    ("GET /api/v1/institutions", "query q"),
    ("GET /api/v1/public/ratings", "query q"),
    ("POST /api/v1/hazards", None),
    ("GET /api/v1/hazards/{id}", None),
    ("POST /api/v1/auth/login", "body"),
]


# ---------------------------------------------------------------------------------------------- a YAML subset

class MiniYaml:
    """Reads the block YAML docs/api/openapi.yaml is written in: maps, lists, plain and quoted scalars, block
    scalars, flow collections (also over several lines). Not a general YAML parser."""

    def __init__(self, text):
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        self.i = 0

    @staticmethod
    def strip_comment(s):
        out, quote = [], None
        for k, ch in enumerate(s):
            if quote:
                out.append(ch)
                if ch == quote and not (quote == '"' and k > 0 and s[k - 1] == "\\"):
                    quote = None
            elif ch in "\"'" and (k == 0 or s[k - 1] in " [{,:"):
                quote = ch
                out.append(ch)
            elif ch == "#" and (k == 0 or s[k - 1] in " \t"):
                break
            else:
                out.append(ch)
        return "".join(out).rstrip()

    @staticmethod
    def depth(s):
        d, quote = 0, None
        for ch in s:
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                d += 1
            elif ch in "]}":
                d -= 1
        return d

    @classmethod
    def scalar(cls, s):
        s = s.strip()
        if s == "":
            return None
        if s[0] == '"':
            body = s[1:s.rindex('"')]
            return (body.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
                    .replace("\\/", "/").replace("\\\\", "\\"))
        if s[0] == "'":
            return s[1:s.rindex("'")].replace("''", "'")
        if s[0] in "[{":
            return cls.flow(s)[0]
        if s in ("null", "~"):
            return None
        if s in ("true", "True"):
            return True
        if s in ("false", "False"):
            return False
        if re.fullmatch(r"[-+]?\d+", s):
            return int(s)
        if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", s):
            return float(s)
        return s

    @classmethod
    def quoted_end(cls, s, k):
        q, j = s[k], k + 1
        while s[j] != q or (q == '"' and s[j - 1] == "\\"):
            j += 1
        return j + 1

    @classmethod
    def flow(cls, s, k=0):
        """The flow collection starting at s[k]: (value, index after it)."""
        opener = s[k]
        closer = "]" if opener == "[" else "}"
        k += 1
        items, mapping = [], {}
        while True:
            while k < len(s) and s[k] in " ,":
                k += 1
            if k >= len(s):
                raise ValueError("unterminated flow collection: " + s)
            if s[k] == closer:
                return (items if opener == "[" else mapping), k + 1
            if s[k] in "[{":
                value, k = cls.flow(s, k)
                items.append(value)
                continue
            if s[k] in "\"'":
                j = cls.quoted_end(s, k)
            else:
                j = k
                while j < len(s) and s[j] not in ",]}" and not (s[j] == ":" and j + 1 < len(s) and s[j + 1] == " "):
                    j += 1
            token, k = s[k:j], j
            while k < len(s) and s[k] == " ":
                k += 1
            if opener == "{" and k < len(s) and s[k] == ":":
                k += 1
                while k < len(s) and s[k] == " ":
                    k += 1
                if s[k] in "[{":
                    value, k = cls.flow(s, k)
                else:
                    j = cls.quoted_end(s, k) if s[k] in "\"'" else k
                    while j < len(s) and s[j] not in ",}":
                        j += 1
                    value, k = cls.scalar(s[k:j]), j
                mapping[cls.scalar(token)] = value
            else:
                items.append(cls.scalar(token))

    def next_content(self):
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() == "" or line.strip().startswith("#"):
                self.i += 1
                continue
            return len(line) - len(line.lstrip(" ")), line
        return None, None

    def block_scalar(self, indent, style):
        parts = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
                break
            parts.append(line.strip())
            self.i += 1
        return "\n".join(parts).strip("\n") if style.startswith("|") else " ".join(p for p in parts if p)

    def parse(self):
        self.i = 0
        indent, _ = self.next_content()
        return self.node(indent or 0)

    def node(self, indent):
        ind, line = self.next_content()
        if line is None or ind < indent:
            return None
        if line.lstrip().startswith("- ") or line.strip() == "-":
            return self.seq(ind)
        return self.mapping(ind)

    def value_after(self, rest, indent):
        rest = self.strip_comment(rest).strip()
        if rest in ("|", "|-", "|+", ">", ">-", ">+"):
            return self.block_scalar(indent, rest)
        if rest == "":
            ind, line = self.next_content()
            if line is None:
                return None
            if ind > indent or (ind == indent and line.lstrip().startswith("- ")):
                return self.node(ind)
            return None
        value = rest
        if rest[0] in "[{":
            while self.depth(value) > 0 and self.i < len(self.lines):
                value += " " + self.strip_comment(self.lines[self.i].strip())
                self.i += 1
        elif rest[0] not in "\"'":
            while self.i < len(self.lines):
                nxt = self.lines[self.i]
                if (nxt.strip() and len(nxt) - len(nxt.lstrip(" ")) > indent and ":" not in nxt
                        and not nxt.lstrip().startswith("- ")):
                    value += " " + nxt.strip()
                    self.i += 1
                else:
                    break
        return self.scalar(value)

    ENTRY = re.compile(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^:]+?)\s*:(\s+(.*))?$')

    def mapping(self, indent):
        result = {}
        while True:
            ind, line = self.next_content()
            if line is None or ind != indent or line.lstrip().startswith("- "):
                return result
            m = self.ENTRY.match(self.strip_comment(line.strip()))
            if not m:
                raise ValueError("openapi.yaml line %d: not a mapping entry: %s" % (self.i + 1, line))
            self.i += 1
            result[self.scalar(m.group(1))] = self.value_after(m.group(3) or "", indent)

    def seq(self, indent):
        items = []
        while True:
            ind, line = self.next_content()
            if line is None or ind != indent or not (line.lstrip().startswith("- ") or line.strip() == "-"):
                return items
            rest = line.lstrip()[2:] if line.strip() != "-" else ""
            if re.match(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\'|[^:\s\[{"\'][^:]*?)\s*:(\s|$)', rest):
                self.lines[self.i] = " " * (indent + 2) + rest   # "- key: value" opens a map at indent + 2
                items.append(self.mapping(indent + 2))
            else:
                self.i += 1
                items.append(self.value_after(rest, indent))


# ---------------------------------------------------------------------------------------------- sources

def load_openapi(repo):
    with open(os.path.join(repo, "docs/api/openapi.yaml"), encoding="utf-8") as f:
        doc = MiniYaml(f.read()).parse()

    def resolve(x):
        while isinstance(x, dict) and "$ref" in x:
            node = doc
            for part in x["$ref"].lstrip("#/").split("/"):
                node = node[part]
            x = node
        return x

    ops = []
    for path, item in doc["paths"].items():
        common = item.get("parameters") or []
        for method, op in item.items():
            if method == "parameters":
                continue
            params = [resolve(p) for p in common + (op.get("parameters") or [])]
            bodies = []   # (content type, variant name, example or None)
            body = resolve(op.get("requestBody")) if op.get("requestBody") else None
            for ctype, media in ((body or {}).get("content") or {}).items():
                if "examples" in media:
                    for name, ex in media["examples"].items():
                        bodies.append((ctype, name, resolve(ex).get("value")))
                else:
                    bodies.append((ctype, None, media.get("example")))
            ops.append({
                "op": "%s %s" % (method.upper(), path), "method": method.upper(), "path": path,
                "access": op.get("x-access"), "undocumented_query": False,
                "query": [(p["name"], resolve(p.get("schema") or {})) for p in params if p["in"] == "query"],
                "required": {p["name"] for p in params if p["in"] == "query" and p.get("required")},
                "path_params": [p["name"] for p in params if p["in"] == "path"],
                "bodies": bodies,
            })
    by_op = {o["op"]: o for o in ops}
    for op, source in EXTRA_QUERY.items():
        if op in by_op and not by_op[op]["query"]:
            by_op[op]["query"] = list(by_op[source]["query"])
            by_op[op]["undocumented_query"] = True
    return ops


def load_matrix(repo):
    rows = {}
    with open(os.path.join(repo, "tests/security/authz-matrix.txt"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            words = line.split()
            rows["%s %s" % (words[0], words[1])] = dict(zip(CALLERS, words[2:]))
    return rows


# ---------------------------------------------------------------------------------------------- HTTP and SQL

class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None, ctype="application/json", headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def json(self, method, path, body=None, token=None, want=(200, 201, 202)):
        status, raw, headers = self.call(method, path, json.dumps(body, ensure_ascii=False) if body is not None
                                         else None, token)
        if status not in want:
            raise RuntimeError("%s %s answered %d: %s" % (method, path, status, raw[:300].decode("utf-8", "replace")))
        return json.loads(raw) if raw and headers.get("Content-Type", "").startswith("application/json") else {}

    login_lock = threading.Lock()

    def login(self, username, password=DEMO_PASSWORD):
        # One sign-in at a time: two at once for the same account can deadlock in the database and answer 500
        # (see docs/security-sqlmap.md); the scan must not trip over that itself.
        with self.login_lock:
            return self.json("POST", "/api/v1/auth/login", {"username": username, "password": password})["token"]


class Sql:
    def __init__(self, repo, db):
        self.cmd = [os.path.join(repo, "scripts/db"), "client", db, "-N", "-B", "-e"]

    def value(self, sql, default="999999"):
        out = subprocess.run(self.cmd + [sql], check=True, capture_output=True, text=True).stdout.strip()
        first = out.split("\n")[0] if out else ""
        return first if first and first != "NULL" else default


# ---------------------------------------------------------------------------------------------- preparation

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(prefix="52360402MJ"):
    first17 = prefix + "".join(random.choice(CREDIT_ALPHABET) for _ in range(17 - len(prefix)))
    c = 31 - sum(CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS)) % 31
    return first17 + CREDIT_ALPHABET[0 if c == 31 else c]


def prepare(api, sql, log, repo):
    """Objects the seed lacks (as the authz matrix test makes them) and the ids of the demo's objects."""
    ctx = {"owner_code": OWNER_CODE, "other_code": OTHER_CODE}
    admin = api.login("admin")
    officer = api.login("mz.wangli")
    inst = api.login("inst.kangle")
    for username in (LOGIN_USER, AGENT_USER, VICTIM_USER):
        api.json("POST", "/api/v1/admin/users", {"username": username, "display_name": "sqlmap 扫描账户",
                                                 "role": "officer", "password": SCAN_PASSWORD,
                                                 "department_code": "MZ"}, admin)
    ctx["victim_id"] = sql.value("SELECT id FROM users WHERE username = '%s'" % VICTIM_USER)
    ctx["owner_id"] = sql.value("SELECT id FROM institutions WHERE credit_code = '%s'" % OWNER_CODE)
    ctx["other_id"] = sql.value("SELECT id FROM institutions WHERE credit_code = '%s'" % OTHER_CODE)
    # 康乐's first filing, with a document, accepted (so that it has versions to compare).
    filing = api.json("POST", "/api/v1/filings", {"kind": "new", "record": {
        "ownership": "private_nonprofit", "address": "濂溪区莲花镇 1 号", "legal_rep_name": "赵刚",
        "legal_rep_id_number": "360402198001011231", "capacity": 100}}, inst)
    ctx["filing_id"] = str(filing["id"])
    status, raw, _ = api.call("POST", "/api/v1/filings/%s/documents?name=licence.pdf" % ctx["filing_id"], PDF, inst,
                              "application/pdf")
    if status != 201:
        raise RuntimeError("document upload answered %d: %s" % (status, raw[:200]))
    ctx["document_sha"] = json.loads(raw)["sha256"]
    api.json("POST", "/api/v1/filings/%s/accept" % ctx["filing_id"], {}, officer)
    # A change, accepted (two versions to compare), then another, left submitted for the write routes on a filing.
    change = api.json("POST", "/api/v1/filings", {"kind": "change", "record": {"capacity": 110}}, inst)
    api.json("POST", "/api/v1/filings/%s/accept" % change["id"], {}, officer)
    change = api.json("POST", "/api/v1/filings", {"kind": "change", "record": {"capacity": 120}}, inst)
    ctx["filing_id"] = str(change["id"])
    ctx["filing_accepted_id"] = str(filing["id"])
    # An import job of the officer's (GET /jobs/{id} needs one).
    row = [credit_code(), "九江市濂溪区扫描测试养老院", "elderly_institution", "private_nonprofit", "360402",
           "九江市濂溪区十里大道 1 号", "测试人", "11010519491231002X", "30"]
    status, raw, _ = api.call("POST", "/api/v1/institutions/import", import_csv([row]), officer, "text/csv")
    ctx["job_id"] = json.loads(raw)["job_id"] if status == 202 else "999999"
    complaint = api.json("POST", "/api/v1/public/complaints", {
        "institution_id": int(ctx["owner_id"]), "category": "fire",
        "description": "夜间消防通道被杂物堵塞，安全出口上锁。", "contact": "13800001111"})
    ctx["tracking_code"] = complaint["tracking_code"]
    status, _, headers = api.call("GET", "/api/v1/credit/entities/%s/report.pdf" % OWNER_CODE, None, inst)
    ctx["report_number"] = {k.lower(): v for k, v in headers.items()}.get("x-report-number", "CR20260101-XXXXXXXXXX")

    owner = "institution_id = %s" % ctx["owner_id"]
    q = sql.value
    ctx["version_min"] = q("SELECT MIN(version) FROM institution_versions WHERE " + owner, "1")
    ctx["version_max"] = q("SELECT MAX(version) FROM institution_versions WHERE " + owner, "1")
    ctx["inspector_id"] = q("SELECT i.id FROM inspectors i JOIN users u ON u.id = i.user_id"
                            " WHERE u.username = 'mz.zhoumin'")
    ctx["special_member_id"] = q("SELECT institution_id FROM special_list_members WHERE list_code = 'KEY-2026'"
                                 " ORDER BY institution_id LIMIT 1")
    ctx["plan_id"] = q("SELECT id FROM inspection_plans ORDER BY id LIMIT 1", "1")
    ctx["task_id"] = q("SELECT task_id FROM draws ORDER BY task_id LIMIT 1")
    # A result and an inspector assigned to it (the inspector-only routes need that inspector).
    row = q("SELECT CONCAT(r.id, ' ', u.username) FROM inspection_results r JOIN draw_assignments a"
            " ON a.task_id = r.task_id AND a.institution_id = r.institution_id"
            " AND a.department_code = r.department_code AND a.active = 1"
            " JOIN inspectors i ON i.id = a.inspector_id JOIN users u ON u.id = i.user_id"
            " ORDER BY r.state = 'pending' DESC, r.id LIMIT 1", "999999 mz.liuqiang")
    ctx["result_id"], ctx["result_inspector"] = row.split(" ")
    ctx["result_evidence_sha"] = q("SELECT sha256 FROM inspection_result_evidence ORDER BY result_id LIMIT 1", "0" * 64)
    ctx["hazard_id"] = q("SELECT h.id FROM hazards h JOIN hazard_evidence e ON e.hazard_id = h.id WHERE h." + owner +
                         " ORDER BY h.id LIMIT 1")
    ctx["evidence_sha"] = q("SELECT e.sha256 FROM hazard_evidence e JOIN hazards h ON h.id = e.hazard_id WHERE h." +
                            owner + " LIMIT 1", "0" * 64)
    ctx["complaint_id"] = q("SELECT id FROM complaints WHERE " + owner + " ORDER BY id LIMIT 1")
    ctx["rated_id"] = q("SELECT institution_id FROM ratings WHERE state = 'published' ORDER BY id LIMIT 1")
    ctx["scheme_id"] = q("SELECT id FROM rating_schemes ORDER BY id LIMIT 1", "1")
    ctx["rating_id"] = q("SELECT id FROM ratings WHERE " + owner + " ORDER BY id DESC LIMIT 1")
    ctx["challenge_id"] = q("SELECT id FROM rating_challenges WHERE rating_id = %s ORDER BY id LIMIT 1" % ctx["rating_id"])
    ctx["panel_user"] = q("SELECT u.username FROM rating_sheets s JOIN inspectors i ON i.id = s.inspector_id"
                          " JOIN users u ON u.id = i.user_id WHERE s.rating_id = %s AND u.username IS NOT NULL"
                          " ORDER BY s.id LIMIT 1" % ctx["rating_id"], "mz.liuqiang")
    ids = q("SELECT GROUP_CONCAT(id ORDER BY id) FROM (SELECT id FROM inspectors ORDER BY id LIMIT 3) t", "1,2,3")
    ctx["panel_inspector_ids"] = [int(x) for x in ids.split(",")]
    ctx["entry_id"] = q("SELECT id FROM credit_list_entries WHERE entity_code = '%s' ORDER BY id LIMIT 1" % OWNER_CODE)
    ctx["record_id"] = q("SELECT id FROM credit_records WHERE entity_code = '%s' ORDER BY id LIMIT 1" % OWNER_CODE, "1")
    ctx["feedback_id"] = q("SELECT id FROM credit_tasks ORDER BY id LIMIT 1")
    ctx["repair_id"] = q("SELECT id FROM credit_repairs ORDER BY id LIMIT 1")
    # Objects the seed may lack, made through the API where the demo's state allows (else the id stays one that
    # does not exist, and the route is scanned on its 404).
    def attempt(what, fn):
        try:
            fn()
        except (RuntimeError, KeyError, ValueError) as e:
            log("note: could not make %s (%s); its routes are scanned with the id %s" % (what, e, "999999"))

    def member():
        api.json("POST", "/api/v1/special-lists/KEY-2026/members", {"credit_code": OTHER_CODE, "reason": "投诉较多"},
                 officer)
        ctx["special_member_id"] = ctx["other_id"]
    if ctx["special_member_id"] == "999999":
        attempt("a special-list member", member)

    def challenge():
        c = api.json("POST", "/api/v1/ratings/%s/challenges" % ctx["rating_id"], {
            "item_code": "1.1", "claim": "评分未考虑已整改情况", "evidence": "整改照片已上传"}, inst)
        ctx["challenge_id"] = str(c.get("id") or q("SELECT MAX(id) FROM rating_challenges"))
    if ctx["challenge_id"] == "999999":
        attempt("a rating challenge", challenge)

    def result_evidence():
        token = api.login(ctx["result_inspector"])
        status, raw, _ = api.call("POST", "/api/v1/inspection-results/%s/evidence?name=record.pdf" % ctx["result_id"],
                                  PDF, token, "application/pdf")
        if status not in (200, 201):
            raise RuntimeError("answered %d: %s" % (status, raw[:200]))
        ctx["result_evidence_sha"] = json.loads(raw)["sha256"]
    if ctx["result_evidence_sha"] == "0" * 64:
        attempt("an inspection result's evidence", result_evidence)

    def repair():
        records = q("SELECT GROUP_CONCAT(id ORDER BY id) FROM credit_records WHERE entity_code = '%s'" % OWNER_CODE, "")
        for record in filter(None, records.split(",")):
            status, raw, _ = api.call("POST", "/api/v1/credit/repairs", json.dumps({
                "record_id": int(record), "rectification": "已完成整改并建立制度。", "pledge": "本单位承诺今后依法经营。"},
                ensure_ascii=False), inst)
            if status == 201:
                ctx["repair_id"] = str(json.loads(raw)["id"])
                return
        raise RuntimeError("no record of 康乐 can be repaired now")
    if ctx["repair_id"] == "999999":
        attempt("a credit repair application", repair)

    def open_hazard():   # reported by the institution itself, so that the officer may verify it (four eyes)
        h = api.json("POST", "/api/v1/hazards", {
            "institution_id": int(ctx["owner_id"]), "catalogue_code": "FI-01", "title": "灭火器压力不足",
            "description": "二楼走廊灭火器压力表指针位于红区。", "location": "二楼走廊"}, inst)
        ctx["hazard_open_id"] = str(h["id"])
    ctx["hazard_open_id"] = ctx["hazard_id"]
    attempt("an open hazard", open_hazard)

    def inspector_account():
        api.json("POST", "/api/v1/admin/users", {
            "username": "sqlmap.inspector", "display_name": "扫描检查员", "role": "inspector", "password": SCAN_PASSWORD,
            "department_code": "MZ", "region_code": "360402", "certificate_no": "36040220269999"}, admin)
        ctx["new_inspector_user_id"] = q("SELECT id FROM users WHERE username = 'sqlmap.inspector'")
    ctx["new_inspector_user_id"] = ctx["victim_id"]
    attempt("an inspector account without a directory entry", inspector_account)
    ctx["new_credit_code"] = credit_code("52360429MJ")

    def draft_task():
        example = next(o for o in load_openapi(repo) if o["op"] == "POST /api/v1/inspection-tasks")["bodies"][0][2]
        task = api.json("POST", "/api/v1/inspection-tasks", dict(example, plan_id=int(ctx["plan_id"])), officer)
        ctx["task_draft_id"] = str(task["id"])
    ctx["task_draft_id"] = ctx["task_id"]
    attempt("a draft inspection task", draft_task)
    ctx["today"] = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).strftime("%Y-%m-%d")

    log("prepared: " + ", ".join("%s=%s" % (k, v) for k, v in sorted(ctx.items())))
    return ctx


def placeholder_ctx():
    ctx = {k: "<%s>" % k for k in ["victim_id", "owner_id", "other_id", "filing_id", "filing_accepted_id",
                                     "document_sha", "job_id", "tracking_code", "report_number", "version_min",
                                     "version_max", "inspector_id", "special_member_id", "plan_id", "task_id",
                                     "result_id", "result_evidence_sha", "hazard_id", "evidence_sha",
                                     "complaint_id", "scheme_id", "rating_id", "challenge_id", "entry_id",
                                     "record_id", "feedback_id", "repair_id", "rated_id", "hazard_open_id",
                                     "new_inspector_user_id", "new_credit_code", "today", "task_draft_id"]}
    ctx.update(owner_code=OWNER_CODE, other_code=OTHER_CODE, result_inspector="<result_inspector>",
               panel_user="<panel_user>", panel_inspector_ids=[1, 2, 3])
    return ctx


# ---------------------------------------------------------------------------------------------- targets

def fill(value, ctx):
    """Replaces {placeholders} in strings (a whole-string placeholder keeps the context value's type)."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in ctx:
            return ctx[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(ctx.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [fill(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ctx) for k, v in value.items()}
    return value


def fix_ids(value, ctx):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in BODY_IDS:
                v = fill(BODY_IDS[k], ctx)
                if isinstance(v, str) and v.isdigit():
                    v = int(v)
            out[k] = fix_ids(v, ctx)
        return out
    if isinstance(value, list):
        return [fix_ids(v, ctx) for v in value]
    return value


def clean(s):
    return s.replace("*", "x")   # the marker must only appear where we put it


def marked_json(value, marks, key=None, in_map=False):
    """JSON text with '*' after every scalar value (and after map keys); appends the names to marks."""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            kt = json.dumps(clean(str(k)))[1:-1]
            if in_map:
                marks.append("json key %s.%s" % (key, kt))
                kt += "*"
            parts.append('"%s": %s' % (kt, marked_json(v, marks, kt.rstrip("*"), kt.rstrip("*") in MAP_FIELDS)))
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(marked_json(v, marks, key) for v in value) + "]"
    marks.append("json %s" % key)
    if isinstance(value, bool):
        return ("true" if value else "false") + "*"
    if value is None:
        return "null*"
    if isinstance(value, (int, float)):
        return json.dumps(value) + "*"
    # \uXXXX escapes: sqlmap refuses arguments with a full-width comma (U+FF0C) and strips curly quotes from
    # their ends; the server reads the same characters
    return json.dumps(clean(str(value)))[:-1] + '*"'


def import_csv(rows, mark=False, marks=None):
    header = ["统一社会信用代码", "机构名称", "机构类型", "举办性质", "region_code", "地址", "法定代表人",
              "法定代表人身份证号码", "床位数/托位数"]
    lines = [",".join(header)]
    for row in rows:
        if mark:
            marks.extend("csv %s" % h for h in header)
        lines.append(",".join(c + ("*" if mark else "") for c in row))
    return "\r\n".join(lines) + "\r\n"


def concrete_path(path, ctx, marks, mark=True, op=None):
    out, last = "", 0
    for m in re.finditer(r"\{(\w+)\}", path):
        key = path[:m.end()]
        best, value = 0, "999999"
        for suffix, v in PATH_VALUES.items():
            if key.endswith(suffix) and len(suffix) > best:
                best, value = len(suffix), v
        value = ROUTE_PATH_VALUES.get(op or "", {}).get(m.group(1), value)
        value = urllib.parse.quote(str(fill(value, ctx)), safe="")
        out += path[last:m.start()] + value + ("*" if mark else "")
        if mark:
            marks.append("path %s" % m.group(1))
        last = m.end()
    return out + path[last:]


def query_value(op, name, schema, ctx):
    route = QUERY_ROUTE_VALUES.get(op, {})
    if name in route:
        return str(fill(route[name], ctx))
    if name in QUERY_VALUES:
        return str(fill(QUERY_VALUES[name], ctx))
    if schema.get("enum"):
        return str(schema["enum"][0])
    if "default" in schema:
        return str(schema["default"]).lower() if isinstance(schema["default"], bool) else str(schema["default"])
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    return "1"


def caller_for(op, matrix, ctx, access=None):
    if op in CALLER_OVERRIDES:
        who = fill(CALLER_OVERRIDES[op], ctx)
        return CALLER_USERS.get(who, who)
    row = matrix.get(op, {})
    if row.get("anon") == "pub" or access == "public":
        return None   # public: scanned as the public reaches it, without a session
    for caller in CALLER_PREFERENCE:
        if row.get(caller) in ("ok", "pub", "mine"):
            return CALLER_USERS[caller]
    return CALLER_USERS["admin"]   # nobody may: the route refuses everyone (declared 404 for all, say)


def build_targets(ops, matrix, ctx, quick=False):
    targets, skipped, no_input = [], [], []
    examples = {o["op"]: o["bodies"] for o in ops}
    for o in ops:
        op, method = o["op"], o["method"]
        if op in SKIPPED:
            skipped.append((op, SKIPPED[op]))
            continue
        if not (o["query"] or o["path_params"] or o["bodies"]):
            no_input.append(op)
            continue
        user = caller_for(op, matrix, ctx, o["access"])
        base = {"op": op, "method": method, "user": user, "data": None, "ctype": None, "headers": {},
                "in_brief": bool(o["query"] or any(c == "application/json" for c, _, _ in o["bodies"]))}
        if method in ("GET", "DELETE"):
            # Reads: the path parameters in one request, each query parameter in a request of its own (filters
            # combine with AND: alone, each can be given a value that matches rows, so a true and a false
            # condition give different pages).
            path = concrete_path(o["path"], ctx, [], mark=False)
            required = "&".join("%s=%s" % (n, urllib.parse.quote(clean(query_value(op, n, sc, ctx)), safe=""))
                                for n, sc in o["query"] if n in o["required"])
            if o["path_params"]:
                marks = []
                marked = concrete_path(o["path"], ctx, marks, op=op)
                targets.append(dict(base, variant="path", url=marked + ("?" + required if required else ""),
                                    marks=marks))
            for name, schema in o["query"]:
                # the route's other required parameters go along, unmarked
                others = "".join("&%s=%s" % (n, urllib.parse.quote(clean(query_value(op, n, sc, ctx)), safe=""))
                                 for n, sc in o["query"] if n != name and n in o["required"])
                value = urllib.parse.quote(clean(query_value(op, name, schema, ctx)), safe="")
                t = dict(base, variant="query " + name, url="%s?%s=%s*%s" % (path, name, value, others),
                         marks=["query %s" % name])
                if name in QUERY_CANDIDATES and op not in QUERY_ROUTE_VALUES:
                    t["candidates"] = ["%s?%s=%s*%s" % (path, name, urllib.parse.quote(v, safe=""), others)
                                       for v in QUERY_CANDIDATES[name]]
                targets.append(t)
            continue
        # Writes: one request with every point marked (path, query, body).
        variants = o["bodies"] or [(None, None, None)]
        for ctype, name, example in variants:
            marks = []
            path = concrete_path(o["path"], ctx, marks, op=op)
            query = "&".join("%s=%s*" % (n, urllib.parse.quote(clean(query_value(op, n, s, ctx)), safe=""))
                             for n, s in o["query"])
            marks += ["query %s" % n for n, _ in o["query"]]
            t = dict(base, variant="body " + name if name else "body", url=path + ("?" + query if query else ""))
            if "%s %s" % (op, t["variant"]) in CALLER_OVERRIDES:
                t["user"] = caller_for("%s %s" % (op, t["variant"]), matrix, ctx)
            body = BODIES.get(op, example)
            if isinstance(body, str) and body.startswith("@"):
                body = examples[body[1:]][0][2]
            if ctype == "application/json":
                body = fix_ids(fill(body if body is not None else {}, ctx), ctx)
                if isinstance(body, dict) and op in BODY_FIELDS:
                    for field, value in fill(BODY_FIELDS[op], ctx).items():
                        if isinstance(body.get(field), int) and str(value).isdigit():
                            value = int(value)
                        body[field] = value
                t["data"], t["ctype"] = marked_json(body, marks), "application/json"
            elif ctype == "text/csv":
                header, *rows = (body or "").strip("\n").split("\n")
                cells = header.split(",")
                marks += ["csv %s" % c for c in cells] * len(rows)
                t["data"] = "\n".join([header] + [",".join(c + "*" for c in r.split(",")) for r in rows]) + "\n"
                t["ctype"] = "text/csv"
            elif ctype == "multipart/form-data":
                boundary = "----sqlmapscan7f3a9c"
                marks.append("multipart filename")
                t["data"] = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rectify*.pdf\"\r\n"
                             "Content-Type: application/pdf\r\n\r\n%s\r\n--%s--\r\n" % (boundary, PDF_SCAN, boundary))
                t["ctype"] = "multipart/form-data; boundary=" + boundary
            elif op == "POST /api/v1/institutions/import":
                row = [credit_code(), "九江市濂溪区扫描测试颐养院", "elderly_institution", "private_nonprofit",
                       "360402", "九江市濂溪区十里大道 2 号", "测试人", "11010519491231002X", "40"]
                t["data"], t["ctype"] = import_csv([row], True, marks), "text/csv"
            elif ctype is not None:   # a file: a small PDF, the file name in the query is marked
                t["data"], t["ctype"] = PDF_SCAN, "application/pdf"
            elif method != "GET":
                t["data"], t["ctype"] = "{}", "application/json"
            t["marks"] = marks
            targets.append(t)
            if op == "POST /api/v1/auth/login":
                # A wrong password is the route's normal 401. The sign-in stores the User-Agent with the new
                # session: that header is scanned on an account of its own that never fails (the body's
                # account is locked after auth.max_failures wrong passwords, and a locked account gets 429
                # before any session is made).
                t["ignore_codes"] = [401]
                targets.append(dict(base, variant="header User-Agent", url=path, ctype="application/json",
                                    data=json.dumps({"username": AGENT_USER, "password": SCAN_PASSWORD}),
                                    headers={"User-Agent": "carewatch-sqlmap-scan*"}, marks=["header User-Agent"],
                                    # not sqlmap's own JSON parameters: only the marked header
                                    answers="JSON data found=N"))
    for t in targets:   # sqlmap refuses arguments with a full-width comma (JSON has \u escapes instead)
        if t["data"] is not None:
            t["data"] = t["data"].replace("\uff0c", "\uff1b")
    # Reads before writes (as the authz matrix test does), so that a write cannot change what a read finds; the
    # writes in the file's order, but for a few that would otherwise find their object in the wrong state.
    position = {}
    for i, t in enumerate(targets):
        position.setdefault(t["op"], i)
    for op, before in WRITE_BEFORE:
        if op in position and before in position:
            position[op] = position[before] - 0.1
    targets.sort(key=lambda t: (t["method"] != "GET", position[t["op"]]))
    if quick:
        chosen = []
        for op, variant in QUICK:
            chosen += [t for t in targets if t["op"] == op and (variant is None or t["variant"] == variant)][:1]
        targets = chosen
    for i, t in enumerate(targets, 1):
        t["id"] = "t%03d" % i
    return targets, skipped, no_input


# ---------------------------------------------------------------------------------------------- sqlmap

PARAM_LINE = re.compile(r"(?:(\(custom\) )?(\w+) )?parameter '([^']+)'")


def sqlmap_argv(t, args, token, outdir):
    headers = dict(t["headers"])
    if token:
        headers["Authorization"] = "Bearer " + token
    if t["ctype"]:
        headers["Content-Type"] = t["ctype"]
    headers["Accept"] = "application/json"
    headers["X-Request-Id"] = "sqlmapscan-%s" % t["id"]   # the server logs it: requests and answers per target
    answers = "quit=N,keep testing=Y,extending provided=N,follow=N"
    if not args.quick:
        answers += ",reduce the number of requests=N"   # the full UNION tests, not only the basic ones
    if t.get("answers"):
        answers += "," + t["answers"]
    argv = ["sqlmap", "--batch", "--ignore-stdin", "--disable-coloring", "--flush-session", "--output-dir", outdir,
            "--dbms=MySQL", "--level=%d" % args.level, "--risk=%d" % args.risk, "--technique=%s" % args.technique,
            "--timeout=30", "--retries=2", "--drop-set-cookie",
            # a 404 baseline (an id the demo lacks) is still scanned; an injectable parameter does not stop
            # the others being tested; no offer to widen the level
            "--answers=" + answers,
            "-u", args.base.rstrip("/") + t["url"], "--method", t["method"]]
    if "User-Agent" in headers:
        argv += ["--user-agent", headers.pop("User-Agent")]
    else:
        argv += ["--user-agent", "carewatch-sqlmap-scan"]
    argv += ["--headers", "\n".join("%s: %s" % kv for kv in headers.items())]
    if t["data"] is not None:
        argv += ["--data", t["data"]]
    if t.get("ignore_codes"):
        argv += ["--ignore-code", ",".join(str(c) for c in t["ignore_codes"])]
    return argv


def mark_names(t):
    """sqlmap's names of the marked points ("URI #1*", "POST #2*", "HEADER #1*") -> ours ("path id")."""
    n_uri = t["url"].count("*")
    n_body = (t["data"] or "").count("*")
    names = {}
    for i, name in enumerate(t["marks"]):
        if i < n_uri:
            names["URI #%d" % (i + 1)] = name
        elif i < n_uri + n_body:
            names["POST #%d" % (i - n_uri + 1)] = name
        else:
            names["HEADER #%d" % (i - n_uri - n_body + 1)] = name
    return names


def param_name(line, names):
    m = PARAM_LINE.search(line)
    if not m:
        return line.strip()
    place, raw = m.group(2) or "", m.group(3)
    number = re.search(r"#(\d+)\*", raw)
    key = "%s #%s" % (place, number.group(1)) if number else None
    return names.get(key, "%s %s" % (place, raw))


def parse_sqlmap(text, names=None):
    names = names or {}
    tested, clean_params, injectable, provisional, notes = [], [], [], [], []
    for line in text.splitlines():
        if "testing for SQL injection on" in line:
            tested.append(param_name(line, names))
        elif "does not seem to be injectable" in line:
            clean_params.append(param_name(line, names))
        elif "is vulnerable. Do you want to keep testing" in line:
            injectable.append(param_name(line, names))
        elif re.search(r"(appears to be|is) '.+' injectable", line):
            provisional.append(line.strip())
        elif "[CRITICAL]" in line and "do not appear to be injectable" not in line:
            notes.append(line.strip())
        elif "false positive or unexploitable" in line:
            notes.append(line.strip())
    if "identified the following injection point" in text and not injectable:
        injectable.append("(see log)")
    m = re.search(r"with a total of (\d+) HTTP\(s\) requests", text)
    return {"tested": tested, "clean": clean_params, "injectable": injectable, "provisional": provisional,
            "notes": notes, "sqlmap_requests": int(m.group(1)) if m else None}


def server_requests(log_path, request_id):
    """What the server logged for the requests of one target: count, statuses, routes."""
    statuses, routes = {}, {}
    needle = '"request_id":"%s"' % request_id
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if needle not in line:
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get("msg") != "request":   # an error line of the same request
                    continue
                statuses[rec.get("status")] = statuses.get(rec.get("status"), 0) + 1
                routes[rec.get("route")] = routes.get(rec.get("route"), 0) + 1
    except OSError:
        pass
    return statuses, routes


RUNNING, RUNNING_LOCK = set(), threading.Lock()


def stop_running(signum, _frame):
    """SIGTERM/SIGINT: end the sqlmap processes this scan started (by their PIDs), then exit."""
    with RUNNING_LOCK:
        for proc in list(RUNNING):
            proc.terminate()
    os._exit(128 + signum)


def has_rows(raw):
    """Whether a JSON answer lists something (None: not a list answer)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    if isinstance(doc, list):
        return bool(doc)
    if isinstance(doc, dict):
        if isinstance(doc.get("total"), int):
            return doc["total"] > 0
        for key in ("items", "hits", "entries", "results"):
            if isinstance(doc.get(key), list):
                return bool(doc[key])
    return None


def run_target(t, args, api, lock, log):
    started = time.time()
    token = None
    if t["user"]:
        password = SCAN_PASSWORD if t["user"] in (LOGIN_USER, AGENT_USER, VICTIM_USER) else DEMO_PASSWORD
        token = api.login(t["user"], password)
    # The unmarked request once: the baseline sqlmap compares against (a write may change the data: fine).
    # A search parameter gets the first of its candidate values that matches rows.
    body = t["data"].replace("*", "") if t["data"] is not None else None
    hdrs = {k: v.replace("*", "") for k, v in t["headers"].items()}
    for url in t.get("candidates") or [t["url"]]:
        status, raw, _ = api.call(t["method"], url.replace("*", ""), body.encode("utf-8") if body is not None
                                  else None, token, t["ctype"] or "application/json", hdrs)
        rows = has_rows(raw)
        if rows is not False:
            break
    t["url"] = url
    answer = raw[:160].decode("utf-8", "replace") if status >= 300 else ""
    outdir = os.path.join(args.work, "sqlmap-out", t["id"])
    os.makedirs(outdir, exist_ok=True)
    argv = sqlmap_argv(t, args, token, outdir)
    with open(os.path.join(outdir, "argv.json"), "w", encoding="utf-8") as f:
        json.dump(argv, f, ensure_ascii=False, indent=1)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace")
    with RUNNING_LOCK:
        RUNNING.add(proc)
    try:
        proc.stdout_text, proc.stderr_text = proc.communicate()
    finally:
        with RUNNING_LOCK:
            RUNNING.discard(proc)
    proc.stdout, proc.stderr = proc.stdout_text, proc.stderr_text
    with open(os.path.join(outdir, "sqlmap.log"), "w", encoding="utf-8") as f:
        f.write(proc.stdout)
        f.write(proc.stderr)
    result = parse_sqlmap(proc.stdout + proc.stderr, mark_names(t))
    statuses, routes = server_requests(args.server_log, "sqlmapscan-" + t["id"])
    # The session must have lasted the whole run (else the later payloads only met 401).
    alive = True
    if token:
        alive = api.call("GET", "/api/v1/auth/me", None, token)[0] == 200
    result.update(id=t["id"], op=t["op"], variant=t["variant"], user=t["user"] or "(public)", baseline=status,
                  rows=rows, url=t["url"], baseline_answer=answer,
                  marks=t["marks"], seconds=round(time.time() - started, 1), exit=proc.returncode,
                  statuses=statuses, routes=routes, session_alive=alive)
    expected = len(t["marks"])
    result["complete"] = (len(result["clean"]) + len(result["injectable"]) >= expected and alive
                          and proc.returncode == 0)
    with lock:
        verdict = ("INJECTABLE " + ", ".join(result["injectable"]) if result["injectable"]
                   else "clean" if result["complete"] else "INCOMPLETE")
        log("%s %-52s %-20s %-18s base %3d%s %2d params %6d req %6.1fs  %s" % (
            t["id"], t["op"][:52], t["variant"][:20], (t["user"] or "(public)")[:18], status,
            {True: "+", False: "0", None: " "}[rows], len(result["tested"]), sum(statuses.values()),
            result["seconds"], verdict))
    return result


def scan(args):
    log = lambda s: print(s, flush=True)
    ops = load_openapi(args.repo)
    matrix = load_matrix(args.repo)
    documented = {o["op"] for o in ops}
    for op in sorted(set(matrix) ^ documented):
        log("warning: %s is in %s only" % (op, "the authz matrix" if op in matrix else "openapi.yaml"))
    api = Api(args.base)
    ctx = prepare(api, Sql(args.repo, args.db), log, args.repo)
    targets, skipped, no_input = build_targets(ops, matrix, ctx, args.quick)
    if args.only:
        targets = [t for t in targets if re.search(args.only, t["op"] + " " + t["variant"])]
    with open(os.path.join(args.work, "targets.json"), "w", encoding="utf-8") as f:
        json.dump(targets, f, ensure_ascii=False, indent=1)
    log("%d routes in openapi.yaml: %d targets (sqlmap runs) on %d routes, %d routes without input, %d skipped"
        % (len(ops), len(targets), len({t["op"] for t in targets}), len(no_input), len(skipped)))
    for op, why in skipped:
        log("skipped: %s — %s" % (op, why))
    log("sqlmap %s, level %d, risk %d, techniques %s, %d job(s)" % (
        sqlmap_version(), args.level, args.risk, args.technique, args.jobs))
    started = time.time()
    lock = threading.Lock()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda t: run_target(t, args, api, lock, log), targets))
    elapsed = time.time() - started
    return summarise(results, targets, skipped, no_input, ops, elapsed, args, log)


def sqlmap_version():
    out = subprocess.run(["sqlmap", "--version"], capture_output=True, text=True).stdout
    return out.strip().splitlines()[0] if out.strip() else "?"


def summarise(results, targets, skipped, no_input, ops, elapsed, args, log):
    results.sort(key=lambda r: r["id"])
    with open(os.path.join(args.work, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    params = sum(len(r["tested"]) for r in results)
    marked = sum(len(r["marks"]) for r in results)
    requests = sum(sum(r["statuses"].values()) for r in results)
    injectable = [(r, p) for r in results for p in r["injectable"]]
    incomplete = [r for r in results if not r["complete"]]
    fivexx = [(r, s, n) for r in results for s, n in r["statuses"].items() if isinstance(s, int) and s >= 500]
    by_status = {}
    for r in results:
        for s, n in r["statuses"].items():
            by_status[s] = by_status.get(s, 0) + n
    routes = {r["op"] for r in results}
    brief_routes = {t["op"] for t in targets if t["in_brief"]}
    log("")
    log("==== sqlmap scan summary (%s) ====" % ("quick" if args.quick else "full"))
    log("%-48s %s" % ("routes in openapi.yaml", len(ops)))
    log("%-48s %d (%d with a query parameter or a JSON body)" % ("routes scanned", len(routes),
                                                                  len(brief_routes & routes)))
    log("%-48s %d" % ("routes without any input (not scanned)", len(no_input)))
    log("%-48s %d" % ("routes skipped", len(skipped)))
    log("%-48s %d" % ("targets (sqlmap runs)", len(results)))
    log("%-48s %d of %d marked" % ("parameters tested", params, marked))
    log("%-48s %d" % ("HTTP requests (server log)", requests))
    log("%-48s %s" % ("answers by status", ", ".join("%s: %d" % kv for kv in sorted(by_status.items(),
                                                                                   key=lambda kv: str(kv[0])))))
    log("%-48s %s" % ("level / risk / techniques", "%d / %d / %s" % (args.level, args.risk, args.technique)))
    log("%-48s %.0f s" % ("elapsed (sqlmap runs)", elapsed))
    log("%-48s %d" % ("injectable parameters", len(injectable)))
    log("%-48s %d" % ("targets not scanned completely", len(incomplete)))
    log("%-48s %d" % ("answers 5xx", sum(n for _, _, n in fivexx)))
    for r, p in injectable:
        log("INJECTABLE: %s [%s] parameter %s as %s — see %s" % (
            r["op"], r["variant"], p, r["user"], os.path.join(args.work, "sqlmap-out", r["id"], "sqlmap.log")))
        for line in r["provisional"]:
            log("    " + line)
    for r in incomplete:
        log("INCOMPLETE: %s %s [%s]: %d of %d parameters finished, sqlmap exit %d, session %s%s" % (
            r["id"], r["op"], r["variant"], len(r["clean"]) + len(r["injectable"]), len(r["marks"]), r["exit"],
            "alive" if r["session_alive"] else "ENDED", ("; " + r["notes"][0]) if r["notes"] else ""))
    for r, s, n in fivexx:
        log("5xx: %s %s [%s]: %d answers %s" % (r["id"], r["op"], r["variant"], n, s))
    dismissed = [r for r in results if r["provisional"] and not r["injectable"]]
    for r in dismissed:
        log("note: %s %s [%s]: sqlmap first suspected, then dismissed: %s" % (
            r["id"], r["op"], r["variant"], r["provisional"][0]))
    log("results: %s" % os.path.join(args.work, "results.json"))
    return 1 if injectable or incomplete else 0


def plan(args):
    ops = load_openapi(args.repo)
    targets, skipped, no_input = build_targets(ops, load_matrix(args.repo), placeholder_ctx(), args.quick)
    for t in targets:
        print("%s %-7s %-52s as %-18s %s" % (t["id"], t["method"], t["url"], t["user"] or "(public)",
                                            ", ".join(t["marks"])))
        if t["data"] is not None:
            print("      data: %s" % t["data"].replace("\r\n", "\\r\\n").replace("\n", "\\n")[:300])
    print("%d targets, %d marked parameters on %d routes; %d routes without input: %s" % (
        len(targets), sum(len(t["marks"]) for t in targets), len({t["op"] for t in targets}), len(no_input),
        ", ".join(no_input)))
    for op, why in skipped:
        print("skipped: %s — %s" % (op, why))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("scan", "plan"):
        p = sub.add_parser(name)
        p.add_argument("--repo", default=os.path.dirname(os.path.dirname(here)))
        p.add_argument("--quick", action="store_true")
    s = sub.choices["scan"]
    s.add_argument("--base", required=True)
    s.add_argument("--work", required=True)
    s.add_argument("--db", required=True)
    s.add_argument("--server-log", required=True)
    s.add_argument("--jobs", type=int, default=1)
    s.add_argument("--only", help="only targets whose route and variant match this regular expression")
    s.add_argument("--level", type=int)
    s.add_argument("--risk", type=int)
    s.add_argument("--technique")
    args = parser.parse_args()
    if args.command == "plan":
        plan(args)
        return 0
    signal.signal(signal.SIGTERM, stop_running)
    signal.signal(signal.SIGINT, stop_running)
    args.level = args.level or (1 if args.quick else 3)
    args.risk = args.risk or (1 if args.quick else 2)
    args.technique = args.technique or "BEUSTQ"
    return scan(args)


if __name__ == "__main__":
    sys.exit(main())
