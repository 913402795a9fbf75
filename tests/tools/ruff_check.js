// Lints every .py under the given folders with ruff compiled to WebAssembly
// (@astral-sh/ruff-wasm-nodejs), using the settings in ruff.toml.
//   node tests/tools/ruff_check.js <repo root> <folder>...
// Prints `path:row:col: CODE message` per finding and exits 1 when there is
// any; otherwise prints a one-line summary and exits 0. ruff.toml is read with
// a tiny strict parser: only the keys in `known` are accepted.
'use strict';
const fs = require('fs');
const path = require('path');
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');

const known = { '': ['line-length', 'target-version'], lint: ['select'], 'lint.isort': ['known-first-party'] };
const skipped = new Set(['__pycache__', 'node_modules', '.cache']);

function fail(message) {
  console.error(`ruff_check: ${message}`);
  process.exit(2);
}

// The TOML subset ruff.toml uses: `# comments`, `[table]` headers, and
// `key = value` where value is an integer, a "string" or an array of strings
// (which may span lines). Anything else is an error.
function readConfig(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/#[^\n"]*$/gm, '');
  const config = {};
  let table = '';
  const re = /^\s*(?:\[([a-z.-]+)\]|([a-z-]+)\s*=\s*("[^"\n]*"|\d+|\[[^\]]*\]))\s*$/gm;
  let consumed = 0;
  const unread = (from, to) => {
    const rest = text.slice(from, to).trim();
    if (rest !== '') fail(`${file}: cannot read '${rest}'`);
  };
  for (const m of text.matchAll(re)) {
    unread(consumed, m.index);
    consumed = m.index + m[0].length;
    if (m[1] !== undefined) {
      if (!(m[1] in known)) fail(`${file}: unknown table [${m[1]}]`);
      table = m[1];
      continue;
    }
    if (!known[table].includes(m[2])) {
      fail(`${file}: unknown key '${m[2]}' in ${table ? `[${table}]` : 'the top level'}`);
    }
    const value = m[3].startsWith('[') ? JSON.parse(m[3].replace(/,\s*\]$/, ']')) : JSON.parse(m[3]);
    let target = config;
    for (const part of table ? table.split('.') : []) target = (target[part] ??= {});
    if (m[2] in target) fail(`${file}: '${m[2]}' given twice`);
    target[m[2]] = value;
  }
  unread(consumed);
  return config;
}

// Checks that ruff applied the settings it was given: a line one column over
// the limit is flagged and one at the limit is not; `timezone.utc` is flagged
// only from py311 on (UP017); each selected family is one ruff knows (the
// Workspace constructor rejects unknown selectors and unknown keys).
function probe(ws, config) {
  const limit = config['line-length'];
  const codes = (src) => ws.check(src).map((d) => d.code);
  const line = (n) => `x = "${'a'.repeat(n - 6)}"\n`;
  if (limit && config.lint?.select?.some((s) => 'E501'.startsWith(s))) {
    if (codes(line(limit)).includes('E501') || !codes(line(limit + 1)).includes('E501')) {
      fail(`ruff did not apply line-length ${limit}`);
    }
  }
  if (config['target-version'] && config.lint?.select?.some((s) => 'UP017'.startsWith(s))) {
    const flagged = codes('import datetime\n\nx = datetime.timezone.utc\n').includes('UP017');
    if (flagged !== (Number(config['target-version'].replace(/^py3/, '')) >= 11)) {
      fail(`ruff did not apply target-version ${config['target-version']}`);
    }
  }
}

const [root, ...folders] = process.argv.slice(2);
if (!root || folders.length === 0) fail('usage: ruff_check.js <repo root> <folder>...');
const config = readConfig(path.join(root, 'ruff.toml'));
let ws;
try {
  ws = new Workspace(config, PositionEncoding.Utf8);
} catch (err) {
  fail(`ruff rejected ruff.toml: ${err}`);
}
probe(ws, config);
console.log(`ruff ${Workspace.version()}: line-length ${config['line-length']}, target ${config['target-version']}, `
  + `select ${config.lint.select.join(',')}`);

function* pythonFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) yield* pythonFiles(p);
    } else if (entry.name.endsWith('.py')) {
      yield p;
    }
  }
}

let files = 0;
let findings = 0;
for (const folder of folders) {
  for (const file of pythonFiles(path.join(root, folder))) {
    files++;
    const diagnostics = ws.check(fs.readFileSync(file, 'utf8'));
    const at = (d) => [d.start_location.row, d.start_location.column];
    diagnostics.sort((a, b) => at(a)[0] - at(b)[0] || at(a)[1] - at(b)[1]);
    for (const d of diagnostics) {
      findings++;
      console.log(`${path.relative(root, file)}:${at(d).join(':')}: ${d.code} ${d.message}`);
    }
  }
}
if (files === 0) fail(`no .py files under ${folders.join(', ')}`);
if (findings > 0) {
  console.log(`ruff: ${findings} finding(s) in ${files} files`);
  process.exit(1);
}
console.log(`ruff: ${files} files in ${folders.join(', ')}, no findings`);
