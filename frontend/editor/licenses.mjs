// Writes LICENSES.txt for the bundle: every npm package with code in it (read from the build's
// metafile; a package imported only for types or tree-shaken away adds no bytes and is left out),
// with its version, its licence and the licence's text.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [metafile, output] = process.argv.slice(2);
const [bundle] = Object.values(JSON.parse(readFileSync(metafile, "utf8")).outputs);

const roots = new Set();
for (const [input, { bytesInOutput }] of Object.entries(bundle.inputs)) {
  const match = bytesInOutput > 0 && input.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) roots.add(match[1]);
}

const sections = [...roots].sort().map((name) => {
  const folder = join("node_modules", name);
  const meta = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).sort().find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${name} ships no licence file: check its licence before bundling it`);
  const text = readFileSync(join(folder, file), "utf8").trim();
  return `${meta.name} ${meta.version} (${meta.license})\n${"-".repeat(60)}\n${text}\n`;
});

const head = "The editor bundle (editor.js) contains these npm packages, under these licences.\n\n";
writeFileSync(output, head + sections.join("\n"));
