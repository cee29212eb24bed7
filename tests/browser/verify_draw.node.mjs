#!/usr/bin/env node
// The browser's cw-draw-v1 verifier (web/src/draws/verifyDraw.js), run in plain Node 20+ (WebCrypto is
// globalThis.crypto there too); no browser and no server needed.
//
//   cd tests/browser && node verify_draw.node.mjs
//
// 1. The worked example of docs/draw-algorithm/ verifies; changing one byte of any frozen file, one hex digit of
//    the secret, the beacon value, two inspectors between entities, or adding an invalid swap makes it fail with
//    the right field named; malformed records and files give a clear mismatch and never throw.
// 2. When python3 is present: random draws (load caps biting, exclusions, non-ASCII strata keys whose UTF-16 and
//    UTF-8 orders differ) are computed by the independent Python verifier (docs/draw-algorithm/verify_draw.py)
//    and must verify here. Skipped, and said so, without python3.
//
// Exit code 0 when every check passed, 1 when any failed.
import { createHash, createHmac } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyDraw } from '../../web/src/draws/verifyDraw.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const DOCS = join(HERE, '..', '..', 'docs', 'draw-algorithm')
const NAME = 'verify_draw'
const GLOBAL_TIMEOUT_MS = Number(process.env.CW_TEST_TIMEOUT_MS) || 120_000

let passed = 0
let failed = 0
let skipped = 0

class CheckFailed extends Error {}
function check(condition, message) {
  if (!condition) throw new CheckFailed(message)
}

async function step(name, fn) {
  const started = Date.now()
  try {
    await fn()
    passed += 1
    console.log(`ok ${passed + failed} - ${name} (${Date.now() - started} ms)`)
  } catch (e) {
    failed += 1
    const reason = e instanceof CheckFailed ? e.message : `${e && e.name ? e.name + ': ' : ''}${e && e.message ? e.message : e}`
    console.error(`not ok ${passed + failed} - ${name}: ${reason}`)
  }
}

const globalTimer = setTimeout(() => {
  console.error(`FAIL: ${NAME}: global timeout of ${GLOBAL_TIMEOUT_MS} ms exceeded`)
  console.error(`${NAME}: ${passed} passed, ${failed + 1} failed`)
  process.exit(1)
}, GLOBAL_TIMEOUT_MS)

// ---------------------------------------------------------------- helpers

const sha256Hex = (bytes) => createHash('sha256').update(bytes).digest('hex')
const clone = (v) => JSON.parse(JSON.stringify(v))
const bytes = (text) => new Uint8Array(Buffer.from(text, 'utf8'))

function example() {
  const record = JSON.parse(readFileSync(join(DOCS, 'example-record.json'), 'utf8'))
  const files = {
    pool: new Uint8Array(readFileSync(join(DOCS, 'example-pool.txt'))),
    inspectors: new Uint8Array(readFileSync(join(DOCS, 'example-inspectors.txt'))),
    exclusions: new Uint8Array(readFileSync(join(DOCS, 'example-exclusions.txt')))
  }
  return { record, files }
}

const DIGEST_FIELD = { pool: 'pool_digest', inspectors: 'inspector_digest', exclusions: 'exclusion_digest' }

/**
 * Replaces one file and re-signs its digest and the seed in the record (with Node's own crypto, not the code under
 * test), so the check reaches the parsing of the file.
 */
function withFile(base, which, content) {
  const record = clone(base.record)
  const files = { ...base.files, [which]: typeof content === 'string' ? bytes(content) : content }
  record[DIGEST_FIELD[which]] = sha256Hex(files[which])
  const message = ['cw-draw-v1', record.pool_digest, record.inspector_digest, record.exclusion_digest, record.beacon_value ?? ''].join('\n')
  record.seed = createHmac('sha256', Buffer.from(record.secret, 'hex')).update(message, 'utf8').digest('hex')
  return { record, files }
}

async function expectOk(record, files, what) {
  const result = await verifyDraw(record, files)
  check(result && result.ok === true, `${what}: expected ok, got ${JSON.stringify(result)}`)
  return result
}

/** Verification must fail, naming `field` (a string the mismatch must contain; a RegExp it must match). */
async function expectMismatch(record, files, field, what) {
  let result
  try {
    result = await verifyDraw(record, files)
  } catch (e) {
    throw new CheckFailed(`${what}: verifyDraw threw ${e && e.stack ? e.stack : e}`)
  }
  check(result && result.ok === false, `${what}: expected a mismatch, got ${JSON.stringify(result)}`)
  check(typeof result.mismatch === 'string' && result.mismatch.length > 0, `${what}: the mismatch is ${JSON.stringify(result.mismatch)}`)
  const hit = field instanceof RegExp ? field.test(result.mismatch) : result.mismatch.includes(field)
  check(hit, `${what}: the mismatch "${result.mismatch}" does not name ${field}`)
  return result
}

function flipByte(data, index) {
  const out = new Uint8Array(data)
  out[index] = out[index] === 0x41 ? 0x42 : 0x41
  return out
}

// ---------------------------------------------------------------- the worked example

async function exampleChecks() {
  const base = example()

  await step('the worked example verifies (3 entities, requirements listed out of department order)', async () => {
    const seen = []
    const result = await expectOk(base.record, base.files, 'example')
    check(result.selected === 3, `selected is ${result.selected}, expected 3`)
    const again = await verifyDraw(base.record, base.files, { onProgress: (f) => seen.push(f) })
    check(again.ok, 'a second run with onProgress failed')
    check(seen.length >= 2 && seen[0] === 0 && seen[seen.length - 1] === 1, `progress went ${JSON.stringify(seen)}`)
    check(seen.every((f, i) => i === 0 || f >= seen[i - 1]), `progress is not monotonic: ${JSON.stringify(seen)}`)
  })

  await step('the record as JSON text and the files as ArrayBuffers verify too', async () => {
    const f = base.files
    const ab = (u) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength)
    await expectOk(JSON.stringify(base.record), { pool: ab(f.pool), inspectors: ab(f.inspectors), exclusions: ab(f.exclusions) }, 'text record')
  })

  for (const [which, field] of Object.entries(DIGEST_FIELD)) {
    await step(`one byte changed in ${which}.txt → ${field}`, async () => {
      const data = base.files[which]
      for (const index of [0, Math.floor(data.length / 2), data.length - 2]) {
        await expectMismatch(base.record, { ...base.files, [which]: flipByte(data, index) }, field, `byte ${index} of ${which}.txt`)
      }
      await expectMismatch(base.record, { ...base.files, [which]: data.subarray(0, data.length - 1) }, field, `${which}.txt without its last byte`)
    })
  }

  await step('one hex digit of the secret changed → commitment', async () => {
    for (const index of [0, 31, 63]) {
      const record = clone(base.record)
      const s = record.secret
      record.secret = s.slice(0, index) + (s[index] === '0' ? '1' : '0') + s.slice(index + 1)
      await expectMismatch(record, base.files, 'commitment', `secret digit ${index}`)
    }
  })

  await step('the beacon value changed → seed', async () => {
    for (const value of ['example beacon 2026-11-23', 'example beacon 2026-11-22 ', '', null]) {
      const record = clone(base.record)
      record.beacon_value = value
      await expectMismatch(record, base.files, 'seed', `beacon_value ${JSON.stringify(value)}`)
    }
  })

  await step('two inspectors swapped between entities in the record → selected[0] inspectors', async () => {
    const record = clone(base.record)
    const a = record.selected[0].inspectors[0]
    const b = record.selected[1].inspectors[0]
    check(a.department_code === b.department_code, 'the example changed: the first inspectors are of different departments')
    ;[a.inspector_id, b.inspector_id] = [b.inspector_id, a.inspector_id]
    await expectMismatch(record, base.files, 'selected[0] inspectors', 'swapped inspectors')
  })

  await step('inspectors of one entity in another order → selected[1] inspectors', async () => {
    const record = clone(base.record)
    record.selected[1].inspectors.reverse()
    await expectMismatch(record, base.files, 'selected[1] inspectors', 'reversed inspectors')
  })

  await step('a valid swap with a reason verifies', async () => {
    const record = clone(base.record)
    // 52360402MJA5K2818A has I000003/MZ; I000002 (MZ) is not excluded for it and not on it.
    record.swaps = [swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000002', '检查人员因病请假')]
    await expectOk(record, base.files, 'valid swap')
  })

  await step('invalid swaps → swaps[i] with the reason', async () => {
    const cases = [
      // I000001 declared a conflict with 52360402MJA5K2818A (example-exclusions.txt).
      [swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000001', '调整'), 'swaps[0]: I000001 is excluded for 52360402MJA5K2818A'],
      [swap('52360402MJA5K2818A', 'MZ', 'I000002', 'I000001', '调整'), /swaps\[0\]: I000002 was not on/],
      [swap('52360402MJA5K2828B', 'MZ', 'I000003', 'I000002', '调整'), /swaps\[0\]: entity 52360402MJA5K2828B was not drawn/],
      [swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000009', '调整'), /swaps\[0\]: I000009 is not in inspectors.txt/],
      [swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000005', '调整'), /swaps\[0\]: the swap crosses departments/],
      [swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000002', ''), /swaps\[0\]: no reason given/]
    ]
    for (const [s, field] of cases) {
      const record = clone(base.record)
      record.swaps = [s]
      await expectMismatch(record, base.files, field, `swap ${JSON.stringify(s)}`)
    }
    // The second swap sees the state after the first: I000002 is then already on the entity.
    const record = clone(base.record)
    record.swaps = [
      swap('52360402MJA5K2818A', 'MZ', 'I000003', 'I000002', '因病'),
      swap('52360402MJA5K2818A', 'MZ', 'I000002', 'I000002', '再次调整')
    ]
    await expectMismatch(record, base.files, /swaps\[1\]: I000002 is already on/, 'second swap')
  })

  await step('other record fields → the field named', async () => {
    const edits = [
      [(r) => (r.algorithm = 'cw-draw-v2'), 'algorithm'],
      [(r) => (r.pool_digest = r.pool_digest.toUpperCase()), 'pool_digest'],
      [(r) => (r.commitment = '0'.repeat(64)), 'commitment'],
      [(r) => (r.secret = null), /secret is not revealed yet/],
      [(r) => (r.secret = r.secret.toUpperCase()), /secret is not 64 lower-case hex/],
      [(r) => (r.seed = '0'.repeat(64)), 'seed'],
      [(r) => (r.strata[1].count = 3), /^selected: the re-run draws 4/],
      [(r) => (r.strata[1].count = 4), /strata\[1\].*count 4 is outside 0\.\.3/],
      [(r) => (r.strata[0].population = 5), /strata\[0\]: pool.txt gives/],
      [(r) => r.strata.pop(), /strata: pool.txt has 2 strata, the record lists 1/],
      [(r) => (r.strata[0].key = '360402|elderly_institution|A'), /strata\[0\]: stratum 360402\|elderly_institution\|A has a count but no entity/],
      [(r) => r.selected.reverse(), 'selected[0] entity_id'],
      [(r) => (r.selected[2].score = r.selected[2].score.replace(/.$/, (c) => (c === '0' ? '1' : '0'))), 'selected[2] score'],
      [(r) => (r.selected[1].stratum = '360403|childcare_institution|C'), 'selected[1] stratum'],
      [(r) => (r.requirements[0].per_entity = 2), 'inspectors'],
      [(r) => r.requirements.push({ department_code: 'WJ', per_entity: 1 }), /requirements: department WJ is required twice/],
      [(r) => r.requirements.push({ department_code: 'SC', per_entity: 1 }), /department SC of requirements has no inspector/],
      [(r) => (r.requirements[1].per_entity = 0), /requirements: department MZ must send at least 1/],
      [(r) => (r.requirements[0].per_entity = 4), /cannot be re-run: selected\[0\] .* needs 4 inspector\(s\) of department WJ/],
      [(r) => (r.cap_slack = -1), 'cap_slack'],
      [(r) => (r.cap_slack = '0'), /cap_slack must be an integer/],
      [(r) => delete r.strata, /strata is missing/],
      [(r) => (r.selected[0].inspectors = 'I000001'), /selected\[0\]\.inspectors must be an array/],
      [(r) => (r.selected[0].inspectors[0] = null), /selected\[0\]\.inspectors\[0\] must be an object/]
    ]
    for (const [edit, field] of edits) {
      const record = clone(base.record)
      edit(record)
      await expectMismatch(record, base.files, field, `edit ${edit}`)
    }
  })

  await step('malformed frozen files (digests re-signed) → the file and line named', async () => {
    const pool = new TextDecoder().decode(base.files.pool)
    const lines = pool.split('\n').slice(0, -1)
    const cases = [
      ['pool', [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n', /pool.txt line 2: lines are not sorted/],
      ['pool', [lines[0], ...lines].join('\n') + '\n', /pool.txt line 2: duplicate line/],
      ['pool', pool.slice(0, -1), /pool.txt: the last line does not end with/],
      ['pool', pool.replace(/\n/g, '\r\n'), /pool.txt line 1: field 2 contains a control character/],
      ['pool', pool.replace('\t', '\t\t'), /pool.txt line 1: expected 2 tab-separated fields/],
      ['pool', pool.replace('360402|elderly_institution|B\t52360402MJA5K2818A', '\t52360402MJA5K2818A'), /pool.txt line 1: field 1 is empty/],
      ['pool', pool + 'zzz\t52360402MJA5K2818A\n', /pool.txt line 8: entity 52360402MJA5K2818A appears more than once/],
      ['pool', new Uint8Array([...base.files.pool, 0xff, 0x0a]), /pool.txt: the file is not valid UTF-8/],
      ['pool', new Uint8Array([0xef, 0xbb, 0xbf, ...base.files.pool]), /strata|pool.txt/],
      ['inspectors', 'I000001\tMZ\nI000001\tWJ\n', /inspectors.txt line 2: inspector I000001 appears more than once/],
      ['inspectors', 'I000001 MZ\n', /inspectors.txt line 1: expected 2 tab-separated fields/],
      ['exclusions', '52360402MJA5K2818A\tI000001\tfriend\n', /exclusions.txt line 1: unknown reason "friend"/],
      ['exclusions', '52360402MJA5K2818A\tI000001\n', /exclusions.txt line 1: expected 3 tab-separated fields/]
    ]
    for (const [which, content, field] of cases) {
      const { record, files } = withFile(base, which, content)
      await expectMismatch(record, files, field, `${which}.txt ${JSON.stringify(typeof content === 'string' ? content.slice(0, 60) : '(bytes)')}`)
    }
  })

  await step('an empty exclusions file is read as no line (the re-signed seed then draws others)', async () => {
    const { record, files } = withFile(base, 'exclusions', '')
    await expectMismatch(record, files, /^selected\[0\] /, 'empty exclusions.txt')
  })

  await step('bad inputs give a mismatch, never an exception', async () => {
    const bad = [
      [null, base.files, /record: not a JSON object/],
      ['{not json', base.files, /record: not valid JSON/],
      [[], base.files, /record: not a JSON object/],
      [base.record, null, /pool.txt is missing/],
      [base.record, { ...base.files, inspectors: 'I000001\tMZ\n' }, /inspectors.txt is missing/],
      [base.record, { ...base.files, exclusions: undefined }, /exclusions.txt is missing/]
    ]
    for (const [record, files, field] of bad) await expectMismatch(record, files, field, `input ${JSON.stringify(record)?.slice(0, 30)}`)
    let threw = null
    const result = await verifyDraw(base.record, base.files, {
      onProgress: () => {
        throw new Error('a broken progress callback')
      }
    }).catch((e) => (threw = e))
    check(!threw && result.ok, `a throwing onProgress broke the verification: ${threw || JSON.stringify(result)}`)
  })
}

function swap(entity, dept, removed, added, reason) {
  return {
    entity_id: entity,
    department_code: dept,
    removed_inspector_id: removed,
    added_inspector_id: added,
    reason,
    swapped_at: '2026-11-24T08:00:00Z'
  }
}

// ---------------------------------------------------------------- random draws against the Python verifier

// mulberry32: a small deterministic generator, so a failing trial can be re-run.
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const sortBytewise = (lines) => lines.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))

// Keys whose UTF-16 order differs from their UTF-8 byte order ('～' U+FF5E against an astral '😀'), plus Chinese.
const KEYS = ['360402|elderly_institution|A', '360402|elderly_institution|D', '360403|托育|C', '360404|～|B', '360404|😀|B', '360405|𠀀|A']
const REASONS = ['jurisdiction', 'declared', 'rotation', 'related']

function randomDirectory(trial) {
  const r = rng(0x5eed + trial)
  const pick = (xs) => xs[Math.floor(r() * xs.length)]
  const pool = []
  const entities = []
  const keys = KEYS.filter(() => r() < 0.8)
  if (keys.length === 0) keys.push(KEYS[4])
  let n = 0
  for (const key of keys) {
    const population = 1 + Math.floor(r() * 30)
    for (let i = 0; i < population; i++) {
      const id = `91360${String(trial).padStart(3, '0')}${String(n++).padStart(5, '0')}${pick(['X', 'Y', 'Z'])}${pick(['é', 'A', '9'])}`
      pool.push(`${key}\t${id}\n`)
      entities.push(id)
    }
  }
  const departments = ['WJ', 'MZ', 'SC', 'XF'].filter(() => r() < 0.7)
  if (departments.length === 0) departments.push('MZ')
  const inspectors = []
  const ids = []
  for (const d of departments) {
    const size = 4 + Math.floor(r() * 8)
    for (let i = 0; i < size; i++) {
      const id = `${d}-${String(Math.floor(r() * 1e6)).padStart(6, '0')}-${i}`
      inspectors.push(`${id}\t${d}\n`)
      ids.push(id)
    }
  }
  const exclusions = new Set()
  for (const e of entities) {
    if (r() < 0.4) exclusions.add(`${e}\t${pick(ids)}\t${pick(REASONS)}\n`)
  }
  exclusions.add(`${pick(entities)}\tNOT-AN-INSPECTOR\tdeclared\n`) // an exclusion of someone not in the pool
  const requirements = departments.map((d) => ({ department_code: d, per_entity: 1 + Math.floor(r() * 2) }))
  requirements.sort(() => r() - 0.5) // the record may list them in any order
  const counts = {}
  for (const key of keys) counts[key] = Math.floor(r() * 6)
  const secret = Buffer.from(Array.from({ length: 32 }, () => Math.floor(r() * 256))).toString('hex')
  return {
    pool: sortBytewise(pool).join(''),
    inspectors: sortBytewise(inspectors).join(''),
    exclusions: sortBytewise([...exclusions]).join(''),
    requirements,
    counts,
    cap_slack: Math.floor(r() * 2),
    secret,
    beacon_value: trial % 3 === 0 ? '' : `drand round ${1000 + trial} 随机数`
  }
}

// Builds records with the Python verifier's own re-run (rerun() of verify_draw.py), independent of the JS code: one
// JSON line per directory file given, in one process (python3 starts slowly).
const PYTHON_BUILD = String.raw`
import hashlib, json, sys
sys.path.insert(0, sys.argv[1])
import verify_draw as v

def build(path):
    d = json.load(open(path, encoding="utf-8"))
    files = [open(path + "." + n, "rb").read() for n in ("pool", "inspectors", "exclusions")]
    record = {"algorithm": "cw-draw-v1", "secret": d["secret"], "beacon_source": "test", "beacon_value": d["beacon_value"],
              "cap_slack": d["cap_slack"], "requirements": d["requirements"], "swaps": [],
              "locked_at": "2026-11-22T02:00:00Z", "drawn_at": "2026-11-23T02:00:00Z"}
    strata = {}
    for stratum, _ in v.lines(files[0], 2):
        strata[stratum] = strata.get(stratum, 0) + 1
    record["strata"] = [{"key": k, "population": strata[k], "count": min(d["counts"][k], strata[k])}
                        for k in sorted(strata, key=lambda k: k.encode())]
    try:
        digests, seed, selected = v.rerun(record, *files)
    except ValueError as e:
        return {"infeasible": str(e)}
    record.update({"pool_digest": digests[0], "inspector_digest": digests[1], "exclusion_digest": digests[2],
                   "commitment": hashlib.sha256(bytes.fromhex(d["secret"])).hexdigest(), "seed": seed, "selected": selected})
    return record

for path in sys.argv[2:]:
    print(json.dumps(build(path), ensure_ascii=False))
`

function writeDirectory(dir, name, d) {
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify(d))
  for (const n of ['pool', 'inspectors', 'exclusions']) writeFileSync(`${path}.${n}`, d[n])
  return { d, path }
}

function buildRecords(py, paths) {
  const out = spawnSync(py, ['-c', PYTHON_BUILD, DOCS, ...paths], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  check(out.status === 0, `verify_draw.py failed: ${out.stderr || out.error}`)
  const records = out.stdout.trim().split('\n').map((line) => JSON.parse(line))
  check(records.length === paths.length, `verify_draw.py built ${records.length} records for ${paths.length} directories`)
  return records
}

function python() {
  for (const cmd of ['python3', 'python']) {
    const probe = spawnSync(cmd, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' })
    if (probe.status === 0 && probe.stdout.trim() === '3') return cmd
  }
  return null
}

async function crossChecks() {
  const py = python()
  if (!py) {
    skipped += 1
    console.log(`skip - random draws against docs/draw-algorithm/verify_draw.py: python3 is not installed`)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'cw-verify-draw-'))
  try {
    await step('random draws computed by verify_draw.py verify here; two entities swapped are caught', async () => {
      const TRIALS = 40
      const directories = []
      for (let trial = 1; trial <= TRIALS; trial++) directories.push(writeDirectory(dir, `trial${trial}`, randomDirectory(trial)))
      const records = buildRecords(py, directories.map((x) => x.path))
      let verified = 0
      let infeasible = 0
      let entities = 0
      for (let i = 0; i < TRIALS; i++) {
        const { d, path } = directories[i]
        const record = records[i]
        if (record.infeasible) {
          infeasible += 1
          continue
        }
        const files = { pool: bytes(d.pool), inspectors: bytes(d.inspectors), exclusions: bytes(d.exclusions) }
        const result = await verifyDraw(record, files)
        check(result.ok, `trial ${i + 1}: ${JSON.stringify(result)} (directory ${path})`)
        check(result.selected === record.selected.length, `trial ${i + 1}: selected ${result.selected}, the record has ${record.selected.length}`)
        verified += 1
        entities += result.selected
        if (record.selected.length >= 2) {
          const r2 = clone(record)
          ;[r2.selected[0], r2.selected[1]] = [r2.selected[1], r2.selected[0]]
          await expectMismatch(r2, files, 'selected[0]', `trial ${i + 1}: two entities swapped`)
        }
      }
      check(verified >= 25, `only ${verified} of ${TRIALS} random draws were feasible (${infeasible} infeasible)`)
      check(entities >= 100, `the random draws selected only ${entities} entities in all`)
      console.log(`#   ${verified} random draws (${entities} entities) agree with verify_draw.py; ${infeasible} infeasible directories skipped`)
    })

    await step('a draw where the load cap decides assignments verifies (and differs from an uncapped one)', async () => {
      const pool = sortBytewise(Array.from({ length: 30 }, (_, i) => `360402|elderly_institution|D\t9136040200000${String(i).padStart(4, '0')}X\n`)).join('')
      const inspectors = sortBytewise(['MZ-1', 'MZ-2', 'MZ-3', 'MZ-4', 'WJ-1', 'WJ-2', 'WJ-3'].map((id) => `${id}\t${id.slice(0, 2)}\n`)).join('')
      const base = {
        pool,
        inspectors,
        exclusions: '',
        requirements: [{ department_code: 'WJ', per_entity: 1 }, { department_code: 'MZ', per_entity: 2 }],
        counts: { '360402|elderly_institution|D': 30 },
        secret: 'ab'.repeat(32),
        beacon_value: 'cap test'
      }
      const [capped, loose] = buildRecords(py, [
        writeDirectory(dir, 'capped', { ...base, cap_slack: 1 }).path,
        writeDirectory(dir, 'loose', { ...base, cap_slack: 100 }).path
      ])
      check(!capped.infeasible && !loose.infeasible, `infeasible: ${capped.infeasible || loose.infeasible}`)
      const files = { pool: bytes(pool), inspectors: bytes(inspectors), exclusions: bytes('') }
      await expectOk(capped, files, 'cap_slack 1')
      await expectOk(loose, files, 'cap_slack 100')
      check(JSON.stringify(capped.selected) !== JSON.stringify(loose.selected), 'the caps did not change any assignment')
      const load = {}
      for (const e of capped.selected) for (const x of e.inspectors) load[x.inspector_id] = (load[x.inspector_id] || 0) + 1
      check(Object.entries(load).every(([id, n]) => n <= (id.startsWith('MZ') ? 16 : 11)), `a load is over its cap: ${JSON.stringify(load)}`)
      // The loose record checked under cap_slack 1 must fail on the first entity whose inspectors change.
      await expectMismatch({ ...loose, cap_slack: 1 }, files, / inspectors \(/, 'uncapped record with cap_slack 1')
    })

    await step('strata keys whose UTF-16 order differs from their UTF-8 order are read bytewise', async () => {
      // '～' (U+FF5E, EF BD 9E) sorts before '😀' (U+1F600, F0 9F 98 80) in UTF-8, after it in UTF-16.
      const pool = '360404|～|B\t91360404000000001A\n360404|😀|B\t91360404000000002A\n'
      const d = { ...randomDirectory(7), pool, counts: { '360404|～|B': 1, '360404|😀|B': 1 } }
      const [record] = buildRecords(py, [writeDirectory(dir, 'order', d).path])
      check(!record.infeasible, `the directory is infeasible: ${record.infeasible}`)
      const files = { pool: bytes(pool), inspectors: bytes(d.inspectors), exclusions: bytes(d.exclusions) }
      await expectOk(record, files, 'non-BMP keys')
      const swapped = '360404|😀|B\t91360404000000002A\n360404|～|B\t91360404000000001A\n'
      const { record: r2, files: f2 } = withFile({ record, files }, 'pool', swapped)
      await expectMismatch(r2, f2, /pool.txt line 2: lines are not sorted/, 'UTF-16 order')
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- main

await step('WebCrypto is available (globalThis.crypto.subtle)', async () => {
  check(globalThis.crypto && globalThis.crypto.subtle, `Node ${process.version} has no globalThis.crypto.subtle; Node 20+ is needed`)
})
await exampleChecks()
await crossChecks()

clearTimeout(globalTimer)
if (failed === 0) console.log(`PASS: ${NAME}`)
else console.error(`FAIL: ${NAME}`)
console.log(`${NAME}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed === 0 ? 0 : 1)
