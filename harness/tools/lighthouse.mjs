// Lighthouse over many pages with one Chrome per set of flags (harness/tools/lighthouse.py calls it).
//
//   node harness/tools/lighthouse.mjs NODE_MODULES < request.json > reports.json
//
// request: {"chrome": path,
//           "groups": [{"flags": [...], "benchmark": bool,
//                       "runs": [{"url", "categories", "audits", "settings"}]}]}
// Prints a JSON list with one Lighthouse report (LHR) per run, in the order asked. Starting Chrome
// once per group instead of once per page is most of the saving over the CLI.
//
// "benchmark": false skips the CPU benchmark Lighthouse runs in the page before every gather
// (core/gather/base-artifacts.js calls getBenchmarkIndex with no setting to skip it): a second of
// busy loop per page. Its result (lhr.environment.benchmarkIndex, -1 when skipped) feeds only the
// report's environment and the CLI's slow-machine warning, never a score; the performance runs
// keep it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const lighthouse = (await load("lighthouse/core/index.js")).default;
const chromeLauncher = await load("chrome-launcher/dist/index.js");
// The object the gatherers take the page's functions from (the same module instance as theirs).
const { pageFunctions } = await load("lighthouse/core/lib/page-functions.js");
const benchmark = pageFunctions.computeBenchmarkIndex;
const noBenchmark = function computeBenchmarkIndex() {
  return -1;
};

// A run's settings.skipAudits may name only audits that weigh nothing in any category's score.
const defaults = (await load("lighthouse/core/config/default-config.js")).default;
function checkSkipped(settings) {
  for (const id of settings?.skipAudits ?? []) {
    for (const [name, category] of Object.entries(defaults.categories)) {
      const ref = category.auditRefs.find((r) => r.id === id);
      if (ref && ref.weight !== 0) {
        throw new Error(`skipAudits: "${id}" weighs ${ref.weight} in the ${name} score`);
      }
    }
  }
}

const request = JSON.parse(readFileSync(0, "utf8"));
for (const group of request.groups) group.runs.forEach((run) => checkSkipped(run.settings));
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
  pageFunctions.computeBenchmarkIndex = group.benchmark === false ? noBenchmark : benchmark;
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
