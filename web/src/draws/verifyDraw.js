// An independent verifier of cw-draw-v1 draws ("双随机、一公开"), written from the public contract
// (docs/draw-algorithm.md, issue 4) with WebCrypto only, so it runs unchanged in a browser and in Node 20+
// (globalThis.crypto.subtle). It shares no code with the C++ engine (modules/draws) it checks.
//
//   const result = await verifyDraw(record, { pool, inspectors, exclusions }, { onProgress })
//   // → { ok: true, selected: n }  or  { ok: false, mismatch: 'the first mismatch, naming the field' }
//
// `record` is the JSON of GET /api/v1/public/draws/{id} (an object, or its text); the three files are the raw bytes
// (Uint8Array or ArrayBuffer) of pool.txt, inspectors.txt and exclusions.txt: the digests are taken over exactly
// those bytes, and the lines are read as UTF-8. Nothing here throws: a malformed record or file, or a missing
// WebCrypto, comes back as { ok: false, mismatch }.
//
// The algorithm, in short (H = SHA-256, HMAC = HMAC-SHA256, hex lower case, "\n" = 0x0A):
//   digests   = hex(H(file)) of each frozen file; commitment = hex(H(secret))
//   seed      = HMAC(secret, "cw-draw-v1\n" + pool_digest + "\n" + inspector_digest + "\n" + exclusion_digest + "\n" + beacon_value)
//   entities  : per stratum, score = HMAC(seed, "entity\n" + stratum_key + "\n" + entity_id); the `count` smallest
//               scores (32 bytes, unsigned big-endian; ties by entity id) are drawn; all drawn ordered by score.
//   inspectors: per drawn entity in that order, per requirement in bytewise department_code order, the department's
//               inspectors not excluded for the entity, not already on it and with load < cap, where
//               cap = ceil(selected_count * per_entity / department_size) + cap_slack, ranked by
//               HMAC(seed, "inspector\n" + entity_id + "\n" + inspector_id); the first per_entity are assigned.

export const ALGORITHM = 'cw-draw-v1'
export const EXCLUSION_REASONS = ['jurisdiction', 'declared', 'rotation', 'related']

// HMAC calls are batched: this many sign() promises are awaited together.
const CHUNK = 2048

class Mismatch extends Error {}
function fail(message) {
  throw new Mismatch(message)
}

const encoder = new TextEncoder()
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function toHex(bytes) {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]]
  return s
}

/** Lower-case hex only (as the contract writes it); null for anything else. */
function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) return null
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16)
  return out
}

/**
 * Compares two strings in the order of their UTF-8 bytes (= code point order). JavaScript's `<` compares UTF-16
 * code units, which differs only when one side has a surrogate (a code point above U+FFFF) and the other a unit
 * in U+E000..U+FFFF; those are remapped here.
 */
export function compareBytewise(a, b) {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000
      }
      return x - y
    }
  }
  return a.length - b.length
}

function compareScores(a, ai, b, bi) {
  // a, b: Uint8Array of 32-byte scores; ai, bi: byte offsets.
  for (let k = 0; k < 32; k++) {
    const d = a[ai + k] - b[bi + k]
    if (d !== 0) return d
  }
  return 0
}

// ---------------------------------------------------------------- record

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"` : typeof value
}

function str(obj, name, path, { required = true, nonEmpty = false } = {}) {
  const v = obj[name]
  if (v === undefined || v === null) {
    if (!required) return ''
    fail(`${path}${name} is missing from the record`)
  }
  if (typeof v !== 'string') fail(`${path}${name} must be a string, the record has ${describe(v)}`)
  if (nonEmpty && v === '') fail(`${path}${name} is empty`)
  return v
}

function int(obj, name, path) {
  const v = obj[name]
  if (v === undefined || v === null) fail(`${path}${name} is missing from the record`)
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`${path}${name} must be an integer, the record has ${describe(v)}`)
  return v
}

function arr(obj, name, path, required = true) {
  const v = obj[name]
  if (v === undefined || v === null) {
    if (!required) return []
    fail(`${path}${name} is missing from the record`)
  }
  if (!Array.isArray(v)) fail(`${path}${name} must be an array, the record has ${describe(v)}`)
  return v
}

function obj(value, path) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${path} must be an object`)
  return value
}

function readRecord(input) {
  let r = input
  if (typeof r === 'string') {
    try {
      r = JSON.parse(r)
    } catch (e) {
      fail(`record: not valid JSON (${e && e.message ? e.message : e})`)
    }
  }
  if (!r || typeof r !== 'object' || Array.isArray(r)) fail('record: not a JSON object')
  const out = {
    algorithm: str(r, 'algorithm', ''),
    pool_digest: str(r, 'pool_digest', ''),
    inspector_digest: str(r, 'inspector_digest', ''),
    exclusion_digest: str(r, 'exclusion_digest', ''),
    commitment: str(r, 'commitment', ''),
    secret: str(r, 'secret', '', { required: false }),
    beacon_value: str(r, 'beacon_value', '', { required: false }),
    seed: str(r, 'seed', '', { required: false }),
    cap_slack: int(r, 'cap_slack', ''),
    requirements: [],
    strata: [],
    selected: [],
    swaps: []
  }
  arr(r, 'requirements', '').forEach((x, i) => {
    const path = `requirements[${i}].`
    obj(x, `requirements[${i}]`)
    out.requirements.push({ department_code: str(x, 'department_code', path), per_entity: int(x, 'per_entity', path) })
  })
  arr(r, 'strata', '').forEach((x, i) => {
    const path = `strata[${i}].`
    obj(x, `strata[${i}]`)
    out.strata.push({ key: str(x, 'key', path), population: int(x, 'population', path), count: int(x, 'count', path) })
  })
  arr(r, 'selected', '', false).forEach((x, i) => {
    const path = `selected[${i}].`
    obj(x, `selected[${i}]`)
    const e = { entity_id: str(x, 'entity_id', path), stratum: str(x, 'stratum', path), score: str(x, 'score', path), inspectors: [] }
    arr(x, 'inspectors', path).forEach((y, j) => {
      const ipath = `${path}inspectors[${j}].`
      obj(y, `${path}inspectors[${j}]`)
      e.inspectors.push({ inspector_id: str(y, 'inspector_id', ipath), department_code: str(y, 'department_code', ipath) })
    })
    out.selected.push(e)
  })
  arr(r, 'swaps', '', false).forEach((x, i) => {
    const path = `swaps[${i}].`
    obj(x, `swaps[${i}]`)
    out.swaps.push({
      entity_id: str(x, 'entity_id', path),
      department_code: str(x, 'department_code', path),
      removed_inspector_id: str(x, 'removed_inspector_id', path),
      added_inspector_id: str(x, 'added_inspector_id', path),
      reason: str(x, 'reason', path),
      swapped_at: str(x, 'swapped_at', path)
    })
  })
  return out
}

// ---------------------------------------------------------------- frozen files

function bytesOf(value, name) {
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  fail(`${name} is missing (expected its bytes as a Uint8Array)`)
}

const CONTROL = /[\u0000-\u001f]/

/**
 * Splits a frozen file into lines of exactly `columns` tab-separated, non-empty fields without control characters,
 * every line ending with "\n", lines strictly ascending bytewise (so no duplicates).
 */
function splitFile(bytes, name, columns) {
  let text
  try {
    // fatal: invalid UTF-8 is an error; ignoreBOM: a BOM is kept as part of the first line, as the bytes say.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    fail(`${name}: the file is not valid UTF-8`)
  }
  const rows = []
  if (text.length === 0) return rows
  if (text[text.length - 1] !== '\n') fail(`${name}: the last line does not end with \\n`)
  const lines = text.split('\n')
  lines.pop()
  // Without astral characters, `<` on strings is already the UTF-8 byte order.
  const plain = !/[\ud800-\udfff]/.test(text)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const at = `${name} line ${i + 1}`
    if (i > 0) {
      const prev = lines[i - 1]
      if (prev === line) fail(`${at}: duplicate line`)
      if (plain ? !(prev < line) : compareBytewise(prev, line) >= 0) fail(`${at}: lines are not sorted bytewise ascending`)
    }
    const fields = line.split('\t')
    if (fields.length !== columns) fail(`${at}: expected ${columns} tab-separated fields, found ${fields.length}`)
    for (let c = 0; c < columns; c++) {
      if (fields[c] === '') fail(`${at}: field ${c + 1} is empty`)
      if (CONTROL.test(fields[c])) fail(`${at}: field ${c + 1} contains a control character`)
    }
    rows.push(fields)
  }
  return rows
}

// ---------------------------------------------------------------- WebCrypto

function subtleCrypto() {
  const c = typeof globalThis !== 'undefined' ? globalThis.crypto : undefined
  if (!c || !c.subtle) {
    fail('WebCrypto (crypto.subtle) is not available here; browsers offer it only on HTTPS or localhost pages')
  }
  return c.subtle
}

async function sha256Hex(subtle, bytes) {
  return toHex(new Uint8Array(await subtle.digest('SHA-256', bytes)))
}

async function hmacKey(subtle, raw) {
  return subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

// ---------------------------------------------------------------- progress

const now = () => (typeof performance !== 'undefined' && performance.now ? performance.now() : Date.now())

/**
 * Gives the event loop a turn (a macrotask) at most every ~40 ms of work, so that a page stays responsive and can
 * paint the progress bar: awaiting WebCrypto alone keeps the main thread busy with its completions.
 */
function breather() {
  let last = now()
  return async () => {
    if (now() - last < 40) return
    await new Promise((resolve) => setTimeout(resolve, 0))
    last = now()
  }
}

function progressReporter(onProgress) {
  let last = -1
  let lastAt = 0
  return (fraction, force = false) => {
    if (typeof onProgress !== 'function') return
    const f = Math.max(0, Math.min(1, fraction))
    const now = Date.now()
    if (!force && (f <= last || (now - lastAt < 50 && f < 1))) return
    last = f
    lastAt = now
    try {
      onProgress(f)
    } catch {
      /* a failing progress callback must not break the verification */
    }
  }
}

// ---------------------------------------------------------------- verification

async function run(recordInput, files, report) {
  const record = readRecord(recordInput)
  const subtle = subtleCrypto()
  const poolBytes = bytesOf(files && files.pool, 'pool.txt')
  const inspectorBytes = bytesOf(files && files.inspectors, 'inspectors.txt')
  const exclusionBytes = bytesOf(files && files.exclusions, 'exclusions.txt')
  report(0, true)

  // 1. Algorithm, digests, commitment, seed.
  if (record.algorithm !== ALGORITHM) fail(`algorithm is "${record.algorithm}", this verifier knows ${ALGORITHM}`)
  const digests = {
    pool: await sha256Hex(subtle, poolBytes),
    inspectors: await sha256Hex(subtle, inspectorBytes),
    exclusions: await sha256Hex(subtle, exclusionBytes)
  }
  if (digests.pool !== record.pool_digest) {
    fail(`pool_digest does not match pool.txt: the record has ${record.pool_digest}, the file hashes to ${digests.pool}`)
  }
  if (digests.inspectors !== record.inspector_digest) {
    fail(`inspector_digest does not match inspectors.txt: the record has ${record.inspector_digest}, the file hashes to ${digests.inspectors}`)
  }
  if (digests.exclusions !== record.exclusion_digest) {
    fail(`exclusion_digest does not match exclusions.txt: the record has ${record.exclusion_digest}, the file hashes to ${digests.exclusions}`)
  }
  if (!record.secret) fail('secret is not revealed yet: the draw has not taken place')
  const secret = fromHex(record.secret)
  if (!secret || secret.length !== 32) fail('secret is not 64 lower-case hex digits')
  const commitment = await sha256Hex(subtle, secret)
  if (commitment !== record.commitment) {
    fail(`commitment is not SHA-256 of the secret (${commitment}): the secret revealed is not the one committed to`)
  }
  const secretKey = await hmacKey(subtle, secret)
  const seedMessage = `${ALGORITHM}\n${digests.pool}\n${digests.inspectors}\n${digests.exclusions}\n${record.beacon_value}`
  const seed = new Uint8Array(await subtle.sign('HMAC', secretKey, encoder.encode(seedMessage)))
  const seedHex = toHex(seed)
  if (seedHex !== record.seed) {
    fail(`seed does not follow from the secret, the digests and beacon_value: the record has ${record.seed || '(none)'}, the re-run gives ${seedHex}`)
  }
  const seedKey = await hmacKey(subtle, seed)
  const sign = (message) => subtle.sign('HMAC', seedKey, encoder.encode(message))
  report(0.02)

  if (record.cap_slack < 0) fail(`cap_slack is ${record.cap_slack}; it must not be negative`)

  // 2. The frozen files.
  const poolRows = splitFile(poolBytes, 'pool.txt', 2)
  const inspectorRows = splitFile(inspectorBytes, 'inspectors.txt', 2)
  const exclusionRows = splitFile(exclusionBytes, 'exclusions.txt', 3)

  // Strata are contiguous in the sorted pool: the tab after a key sorts before any character a key may contain.
  const strata = [] // { key, begin, end }
  {
    const seen = new Set()
    for (let i = 0; i < poolRows.length; i++) {
      const [key, entity] = poolRows[i]
      if (seen.has(entity)) fail(`pool.txt line ${i + 1}: entity ${entity} appears more than once`)
      seen.add(entity)
      const last = strata[strata.length - 1]
      if (last && last.key === key) last.end = i + 1
      else strata.push({ key, begin: i, end: i + 1 })
    }
  }
  const departmentOf = new Map()
  const byDepartment = new Map()
  inspectorRows.forEach(([inspector, department], i) => {
    if (departmentOf.has(inspector)) fail(`inspectors.txt line ${i + 1}: inspector ${inspector} appears more than once`)
    departmentOf.set(inspector, department)
    if (!byDepartment.has(department)) byDepartment.set(department, [])
    byDepartment.get(department).push(inspector)
  })
  const exclusionReason = new Map() // "entity\tinspector" → reason
  exclusionRows.forEach(([entity, inspector, reason], i) => {
    if (!EXCLUSION_REASONS.includes(reason)) {
      fail(`exclusions.txt line ${i + 1}: unknown reason "${reason}" (expected ${EXCLUSION_REASONS.join(', ')})`)
    }
    exclusionReason.set(`${entity}\t${inspector}`, reason)
  })

  // 3. Strata of the record against the pool.
  const recordKeys = new Set()
  record.strata.forEach((s, i) => {
    if (recordKeys.has(s.key)) fail(`strata[${i}]: stratum ${s.key} is listed twice`)
    recordKeys.add(s.key)
    if (s.count < 0 || s.count > s.population) {
      fail(`strata[${i}] (${s.key}): count ${s.count} is outside 0..${s.population}`)
    }
  })
  const poolKeys = new Set(strata.map((s) => s.key))
  record.strata.forEach((s, i) => {
    if (!poolKeys.has(s.key)) fail(`strata[${i}]: stratum ${s.key} has a count but no entity in pool.txt`)
  })
  if (strata.length !== record.strata.length) {
    fail(`strata: pool.txt has ${strata.length} strata, the record lists ${record.strata.length}`)
  }
  strata.forEach((s, i) => {
    const want = record.strata[i]
    const population = s.end - s.begin
    if (want.key !== s.key || want.population !== population) {
      fail(`strata[${i}]: pool.txt gives ${s.key} with population ${population}, the record ${want.key} with ${want.population}`)
    }
    s.count = want.count
  })

  // 4. Requirements in bytewise department_code order.
  const requirements = record.requirements.slice().sort((a, b) => compareBytewise(a.department_code, b.department_code))
  requirements.forEach((q, i) => {
    if (i > 0 && requirements[i - 1].department_code === q.department_code) {
      fail(`requirements: department ${q.department_code} is required twice`)
    }
    if (q.per_entity < 1) fail(`requirements: department ${q.department_code} must send at least 1 inspector (per_entity ${q.per_entity})`)
  })

  // Work for the progress bar: entity scores, then inspector scores of every drawn entity.
  const selectedCount = strata.reduce((n, s) => n + s.count, 0)
  const entityWork = strata.reduce((n, s) => n + (s.count > 0 ? s.end - s.begin : 0), 0)
  const perEntityWork = requirements.reduce((n, q) => n + (byDepartment.get(q.department_code) || []).length, 0)
  const totalWork = Math.max(1, entityWork + selectedCount * perEntityWork)
  let done = 0
  const breathe = breather()
  const step = async (n) => {
    done += n
    report(0.02 + (0.97 * done) / totalWork)
    await breathe()
  }

  // 5. Entity scores (only strata that draw someone need them) and the draw per stratum.
  const scores = new Uint8Array(poolRows.length * 32)
  {
    const todo = []
    for (const s of strata) if (s.count > 0) for (let i = s.begin; i < s.end; i++) todo.push(i)
    for (let c = 0; c < todo.length; c += CHUNK) {
      const part = todo.slice(c, c + CHUNK)
      const macs = await Promise.all(part.map((i) => sign(`entity\n${poolRows[i][0]}\n${poolRows[i][1]}`)))
      part.forEach((i, k) => scores.set(new Uint8Array(macs[k]), i * 32))
      await step(part.length)
    }
  }
  const byScore = (a, b) => compareScores(scores, a * 32, scores, b * 32) || compareBytewise(poolRows[a][1], poolRows[b][1])
  const chosen = []
  for (const s of strata) {
    if (s.count === 0) continue
    const idx = []
    for (let i = s.begin; i < s.end; i++) idx.push(i)
    idx.sort(byScore)
    for (let j = 0; j < s.count; j++) chosen.push(idx[j])
  }
  chosen.sort(byScore)
  if (chosen.length !== record.selected.length) {
    fail(`selected: the re-run draws ${chosen.length} entities, the record lists ${record.selected.length}`)
  }

  // 6. Inspectors, entity by entity in draw order, with loads and caps.
  const departments = []
  for (const q of requirements) {
    const members = byDepartment.get(q.department_code)
    if (!members) {
      if (chosen.length === 0) continue
      fail(`the draw cannot be re-run: department ${q.department_code} of requirements has no inspector in inspectors.txt`)
    }
    const cap = Math.ceil((chosen.length * q.per_entity) / members.length) + record.cap_slack
    departments.push({ code: q.department_code, perEntity: q.per_entity, members, cap })
  }
  const load = new Map()
  const entityAt = (k) => poolRows[chosen[k]][1]
  const assigned = [] // per drawn entity: [{ inspector_id, department_code }]

  // Inspector scores do not depend on loads, so they are computed ahead for a window of entities (one batch of
  // about CHUNK signatures); picking, which does depend on loads, then runs in order.
  let k = 0
  while (k < chosen.length) {
    const windowStart = k
    const jobs = [] // { k, d, candidates: [inspector ids] }
    let size = 0
    while (k < chosen.length && (size === 0 || size < CHUNK)) {
      const entity = entityAt(k)
      departments.forEach((dept, d) => {
        const candidates = dept.members.filter((m) => !exclusionReason.has(`${entity}\t${m}`))
        jobs.push({ k, d, candidates })
        size += candidates.length
      })
      k++
    }
    const messages = []
    for (const job of jobs) for (const m of job.candidates) messages.push(`inspector\n${entityAt(job.k)}\n${m}`)
    const macs = []
    for (let c = 0; c < messages.length; c += CHUNK) {
      const part = await Promise.all(messages.slice(c, c + CHUNK).map(sign))
      for (const m of part) macs.push(new Uint8Array(m))
      if (c + CHUNK < messages.length) await breathe()
    }
    let cursor = 0
    let jobIndex = 0
    for (let e = windowStart; e < k; e++) {
      const entity = entityAt(e)
      const want = record.selected[e]
      const at = `selected[${e}]`
      if (want.entity_id !== entity) fail(`${at} entity_id: the re-run draws ${entity}, the record lists ${want.entity_id}`)
      const stratum = poolRows[chosen[e]][0]
      if (want.stratum !== stratum) fail(`${at} stratum (${entity}): the re-run gives ${stratum}, the record ${want.stratum}`)
      const score = toHex(scores.subarray(chosen[e] * 32, chosen[e] * 32 + 32))
      if (want.score !== score) fail(`${at} score (${entity}): the re-run gives ${score}, the record ${want.score}`)

      const on = []
      for (const dept of departments) {
        const job = jobs[jobIndex++]
        const ranked = job.candidates.map((id, i) => ({ id, mac: macs[cursor + i] }))
        cursor += job.candidates.length
        ranked.sort((a, b) => compareScores(a.mac, 0, b.mac, 0) || compareBytewise(a.id, b.id))
        let taken = 0
        for (const c of ranked) {
          if (taken === dept.perEntity) break
          if ((load.get(c.id) || 0) >= dept.cap) continue
          if (on.some((x) => x.inspector_id === c.id)) continue
          on.push({ inspector_id: c.id, department_code: dept.code })
          load.set(c.id, (load.get(c.id) || 0) + 1)
          taken++
        }
        if (taken < dept.perEntity) {
          fail(
            `the draw cannot be re-run: ${at} (${entity}) needs ${dept.perEntity} inspector(s) of department ${dept.code} ` +
              `but only ${taken} are eligible (not excluded and under the load cap of ${dept.cap})`
          )
        }
      }
      const same =
        on.length === want.inspectors.length &&
        on.every((x, j) => x.inspector_id === want.inspectors[j].inspector_id && x.department_code === want.inspectors[j].department_code)
      if (!same) {
        const list = (xs) => xs.map((x) => `${x.inspector_id}/${x.department_code}`).join(', ') || '(none)'
        fail(`${at} inspectors (${entity}): the record lists ${list(want.inspectors)}, the re-run assigns ${list(on)}`)
      }
      assigned.push(on)
    }
    await step(size)
  }

  // 7. Swaps after the draw: each replaces an inspector then on the entity with one of the same department from
  // inspectors.txt, not excluded for the entity, not already on it, and gives a reason.
  const current = new Map()
  record.selected.forEach((e) => current.set(e.entity_id, e.inspectors.map((x) => x.inspector_id)))
  record.swaps.forEach((s, i) => {
    const at = `swaps[${i}]`
    const on = current.get(s.entity_id)
    if (!on) fail(`${at}: entity ${s.entity_id} was not drawn`)
    const removed = on.indexOf(s.removed_inspector_id)
    if (removed < 0) fail(`${at}: ${s.removed_inspector_id} was not on ${s.entity_id} at that point`)
    if (!departmentOf.has(s.added_inspector_id)) fail(`${at}: ${s.added_inspector_id} is not in inspectors.txt`)
    if (departmentOf.get(s.added_inspector_id) !== s.department_code || departmentOf.get(s.removed_inspector_id) !== s.department_code) {
      fail(`${at}: the swap crosses departments (${s.removed_inspector_id} → ${s.added_inspector_id}, department ${s.department_code})`)
    }
    const reason = exclusionReason.get(`${s.entity_id}\t${s.added_inspector_id}`)
    if (reason) fail(`${at}: ${s.added_inspector_id} is excluded for ${s.entity_id} (${reason})`)
    if (on.includes(s.added_inspector_id)) fail(`${at}: ${s.added_inspector_id} is already on ${s.entity_id}`)
    if (s.reason === '') fail(`${at}: no reason given`)
    on[removed] = s.added_inspector_id
  })

  report(1, true)
  return { ok: true, selected: assigned.length }
}

/**
 * Verifies a published cw-draw-v1 record against its three frozen files.
 * Resolves to { ok: true, selected: n } or { ok: false, mismatch: 'the first mismatch, naming the field' }; never rejects.
 */
export async function verifyDraw(record, files, { onProgress } = {}) {
  const report = progressReporter(onProgress)
  try {
    return await run(record, files || {}, report)
  } catch (e) {
    if (e instanceof Mismatch) return { ok: false, mismatch: e.message }
    return { ok: false, mismatch: `the verifier failed: ${e && e.message ? e.message : String(e)}` }
  }
}
