// Lighthouse over many pages with one Chrome per set of flags (harness/tools/lighthouse.py calls it).
//
//   node harness/tools/lighthouse.mjs NODE_MODULES < request.json > reports.json
//
// request: {"chrome": path,
//           "groups": [{"flags": [...],
//                       "runs": [{"url", "categories", "audits", "settings",
//                                 "then": [{"script", "categories", "audits", "settings"}]}]}]}
// Each run is a Lighthouse navigation of its url. Each of its "then" steps evaluates its script in
// the page the navigation left (an expression; a promise is awaited, a rejection is an error) and
// audits the page as it is then, in Lighthouse's snapshot mode, with no new navigation. Prints a
// JSON list of Lighthouse reports (LHR): per run, the navigation's, then its steps', in the order
// asked. Starting Chrome once per group instead of once per page is most of the saving over the
// CLI.
//
// No run does the CPU benchmark Lighthouse runs in the page before every gather
// (core/gather/base-artifacts.js calls getBenchmarkIndex with no setting to skip it): a second of
// busy loop per page. Its result (lhr.environment.benchmarkIndex, -1 here) feeds only the report's
// environment and the CLI's slow-machine warning (core/gather/driver/environment.js), never a
// score or an audit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const load = (path) => import(pathToFileURL(join(modules, path)).href);
const { navigation, snapshot } = await load("lighthouse/core/index.js");
const chromeLauncher = await load("chrome-launcher/dist/index.js");
// Lighthouse's own dependency, to hand its navigation and snapshot functions a page.
const puppeteer = (await load("puppeteer-core/lib/puppeteer/puppeteer-core.js")).default;
// The object the gatherers take the page's functions from (the same module instance as theirs).
const { pageFunctions } = await load("lighthouse/core/lib/page-functions.js");
pageFunctions.computeBenchmarkIndex = function computeBenchmarkIndex() {
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

function config(step) {
  const settings = { ...step.settings };
  if (step.categories?.length) settings.onlyCategories = step.categories;
  if (step.audits?.length) settings.onlyAudits = step.audits;
  return { config: { extends: "lighthouse:default", settings }, flags: { logLevel: "error" } };
}

const request = JSON.parse(readFileSync(0, "utf8"));
for (const group of request.groups) {
  for (const run of group.runs) [run, ...(run.then ?? [])].forEach((s) => checkSkipped(s.settings));
}
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
    port: group.port,
  });
  running = chrome;
  launching = false;
  let browser = null;
  try {
    browser = await puppeteer.connect({
      browserURL: `http://127.0.0.1:${chrome.port}`,
      defaultViewport: null, // Lighthouse sets its own emulation
    });
    const page = await browser.newPage();
    for (const run of group.runs) {
      const result = await navigation(page, run.url, config(run));
      if (!result) throw new Error(`Lighthouse returned nothing for ${run.url}`);
      reports.push(result.lhr);
      for (const step of run.then ?? []) {
        await page.evaluate(step.script);
        const after = await snapshot(page, config(step));
        if (!after) throw new Error(`Lighthouse's snapshot returned nothing for ${run.url}`);
        reports.push(after.lhr);
      }
    }
  } finally {
    await browser?.disconnect();
    await chrome.kill();
    running = null;
  }
}
process.stdout.write(JSON.stringify(reports));
