// Lighthouse over many pages with one Chrome per set of flags (harness/tools/lighthouse.py calls it).
//
//   node harness/tools/lighthouse.mjs NODE_MODULES < request.json > reports.json
//
// request: {"chrome": path,
//           "groups": [{"flags": [...], "runs": [{"url", "categories", "audits", "settings"}]}]}
// Prints a JSON list with one Lighthouse report (LHR) per run, in the order asked. Starting Chrome
// once per group instead of once per page is most of the saving over the CLI.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const lighthouse = (await load("lighthouse/core/index.js")).default;
const chromeLauncher = await load("chrome-launcher/dist/index.js");

const request = JSON.parse(readFileSync(0, "utf8"));
const reports = [];
// chrome-launcher starts Chrome in a process group of its own: when the process that started this
// one dies (a test run stopped), stop Chrome and this process rather than audit on for nobody.
const parent = process.ppid;
let running = null;
let launching = false; // checked again once the Chrome being started can be stopped
setInterval(async () => {
  if (process.ppid === parent || launching) return;
  if (running) await running.kill();
  process.exit(1);
}, 500).unref();
for (const group of request.groups) {
  launching = true;
  const chrome = await chromeLauncher.launch({
    chromePath: request.chrome,
    chromeFlags: group.flags,
  });
  running = chrome;
  launching = false;
  try {
    for (const run of group.runs) {
      const flags = { port: chrome.port, output: "json", logLevel: "error" };
      if (run.categories?.length) flags.onlyCategories = run.categories;
      if (run.audits?.length) flags.onlyAudits = run.audits;
      const config = run.settings
        ? { extends: "lighthouse:default", settings: run.settings }
        : undefined;
      const result = await lighthouse(run.url, flags, config);
      if (!result) throw new Error(`Lighthouse returned nothing for ${run.url}`);
      reports.push(result.lhr);
    }
  } finally {
    await chrome.kill();
    running = null;
  }
}
process.stdout.write(JSON.stringify(reports));
