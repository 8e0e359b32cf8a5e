#!/usr/bin/env node
// Generates the inputs/outputs tables of the root Terraform module into docs/terraform.md,
// between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> (terraform-docs is not available
// offline; @cdktf/hcl2json parses HCL with HashiCorp's own parser, compiled to WASM).
//
//   node scripts/docs/tf-docs.mjs          rewrite the tables
//   node scripts/docs/tf-docs.mjs --check  exit 1 if the tables are out of date, or if any variable
//                                          (root, modules/*, examples/*) lacks a type or description,
//                                          or any output lacks a description
import { parse } from '@cdktf/hcl2json';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docPath = join(repo, 'docs', 'terraform.md');
const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';

/** Parses every .tf file of one module directory; returns its variables and outputs by name. */
async function readModule(dir) {
  const variables = {};
  const outputs = {};
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  for (const file of files) {
    const parsed = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const [name, blocks] of Object.entries(parsed.variable ?? {})) variables[name] = { ...blocks[0], file };
    for (const [name, blocks] of Object.entries(parsed.output ?? {})) outputs[name] = { ...blocks[0], file };
  }
  return { variables, outputs };
}

/** `${string}` → `string`: hcl2json wraps expressions in an interpolation. */
function unwrap(expression) {
  const match = /^\$\{([\s\S]*)\}$/.exec(expression);
  return match ? match[1] : expression;
}

/** A table cell: single-line values in backticks, multi-line ones in <pre> (as terraform-docs does). */
function cell(text) {
  if (!text.includes('\n')) return `\`${text.replace(/\|/g, '\\|')}\``;
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;');
  return `<pre>${escaped.split('\n').join('<br/>')}</pre>`;
}

function describe(text) {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function renderDefault(variable) {
  if (!('default' in variable)) return 'n/a';
  const value = variable.default;
  if (value === null) return '`null`';
  if (typeof value === 'string') return cell(JSON.stringify(value));
  return cell(JSON.stringify(value, null, 2).replace(/"\$\{([^"]*)\}"/g, '$1'));
}

function renderTables({ variables, outputs }) {
  const lines = ['<!-- prettier-ignore-start -->', '## Inputs', ''];
  lines.push(
    '| Name | Description | Type | Default | Required |',
    '|------|-------------|------|---------|:--------:|',
  );
  const names = Object.keys(variables).sort((a, b) => {
    const ra = 'default' in variables[a] ? 1 : 0;
    const rb = 'default' in variables[b] ? 1 : 0;
    return ra - rb || a.localeCompare(b);
  });
  for (const name of names) {
    const v = variables[name];
    const description = describe(v.description ?? '') + (v.sensitive ? ' (sensitive)' : '');
    const type = v.type === undefined ? 'n/a' : cell(unwrap(v.type));
    const required = 'default' in v ? 'no' : 'yes';
    lines.push(
      `| <a name="input_${name}"></a> [${name}](#input_${name}) | ${description} | ${type} | ${renderDefault(v)} | ${required} |`,
    );
  }
  lines.push('', '## Outputs', '', '| Name | Description |', '|------|-------------|');
  for (const name of Object.keys(outputs).sort()) {
    lines.push(
      `| <a name="output_${name}"></a> [${name}](#output_${name}) | ${describe(outputs[name].description ?? '')} |`,
    );
  }
  lines.push('<!-- prettier-ignore-end -->');
  return lines.join('\n');
}

/** Every module whose interface users or maintainers read: the root, modules/*, examples/*. */
function moduleDirs() {
  const dirs = [repo];
  for (const parent of ['modules', 'examples']) {
    const base = join(repo, parent);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) dirs.push(join(base, entry.name));
    }
  }
  return dirs;
}

async function hygiene() {
  const problems = [];
  for (const dir of moduleDirs()) {
    const { variables, outputs } = await readModule(dir);
    const where = (item) => relative(repo, join(dir, item.file));
    for (const [name, v] of Object.entries(variables)) {
      if (v.type === undefined) problems.push(`${where(v)}: variable "${name}" has no type`);
      if (!v.description || !v.description.trim()) problems.push(`${where(v)}: variable "${name}" has no description`);
    }
    for (const [name, o] of Object.entries(outputs)) {
      if (!o.description || !o.description.trim()) problems.push(`${where(o)}: output "${name}" has no description`);
    }
  }
  return problems;
}

async function main() {
  const check = process.argv.includes('--check');
  const problems = await hygiene();
  const root = await readModule(repo);
  const tables = renderTables(root);

  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`tf-docs: ${relative(repo, docPath)} needs the markers ${BEGIN} and ${END}`);
    process.exit(1);
  }
  const updated = `${doc.slice(0, start + BEGIN.length)}\n${tables}\n${doc.slice(end)}`;
  const counts = `${Object.keys(root.variables).length} inputs, ${Object.keys(root.outputs).length} outputs`;

  for (const problem of problems) console.error(`tf-docs: ${problem}`);
  if (check) {
    if (updated !== doc) {
      console.error(`tf-docs: ${relative(repo, docPath)} is out of date; run: node scripts/docs/tf-docs.mjs`);
      process.exit(1);
    }
    if (problems.length > 0) process.exit(1);
    console.log(`tf-docs: ${relative(repo, docPath)} is up to date (${counts})`);
    return;
  }
  if (updated !== doc) writeFileSync(docPath, updated);
  console.log(`tf-docs: ${updated === doc ? 'unchanged' : 'wrote'} ${relative(repo, docPath)} (${counts})`);
  if (problems.length > 0) process.exit(1);
}

await main();
