// Loads pages of a served site in Debian's chromium (puppeteer-core: no browser of its own) and
// reports, as one JSON document on stdout, every problem a reader would meet: axe-core violations,
// console errors, Content-Security-Policy violations, failed requests, horizontal scrolling on a
// phone, images without alt text, body text below 4.5:1, a Mermaid diagram or KaTeX formula left
// undrawn, an in-page link to nowhere, a table of contents whose entries do not reach their
// headings, and the colour-scheme toggle not remembering its choice.
//
//   node check.mjs BASE_URL SCREENSHOT_DIR PATH...     (CHECK_WINDOWS=N: pages loaded at once, 4)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, shots, ...paths] = process.argv.slice(2);
const SCHEMES = ["light", "dark"];
const WIDTHS = [1280, 390];
const WINDOWS = Number(process.env.CHECK_WINDOWS || 4);
fs.mkdirSync(shots, { recursive: true });

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

function luminance([r, g, b]) {
  const c = [r, g, b].map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

async function visit(page, url, problems) {
  const origin = new URL(base).origin;
  const onConsole = (msg) => { if (msg.type() === "error") problems.push(`console error: ${msg.text()}`); };
  const onError = (error) => problems.push(`page error: ${error.message}`);
  const onFailed = (request) => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`);
  const onResponse = (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  };
  const onRequest = (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) {
      problems.push(`request to another origin: ${request.url()}`);
    }
  };
  page.on("console", onConsole);
  page.on("pageerror", onError);
  page.on("requestfailed", onFailed);
  page.on("response", onResponse);
  page.on("request", onRequest);
  try {
    await page.goto(url, { waitUntil: "networkidle0" });
    // Mermaid draws after load: each <pre class="mermaid"> becomes a drawn diagram, or stays.
    await page.waitForFunction(() => !document.querySelector("pre.mermaid"), { timeout: 20000 })
      .catch(() => problems.push("a Mermaid diagram was not drawn"));
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onError);
    page.off("requestfailed", onFailed);
    page.off("response", onResponse);
    page.off("request", onRequest);
  }
}

// Every report of the Content-Security-Policy, the console's wording aside.
const recordViolations = () => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} from ${e.sourceFile || e.blockedURI}:${e.lineNumber}`);
  });
};

// The search page found the word of its `?q=`: results, and the word in a result's title or in
// bold in the snippet of the text around it.
async function checkSearch(page, problems) {
  await page.waitForSelector("#search-results li", { timeout: 5000 }).catch(() => problems.push("search: no results"));
  const shown = await page.evaluate(() => {
    const word = new URLSearchParams(location.search).get("q").toLowerCase();
    return [...document.querySelectorAll("#search-results li")].some((item) =>
      item.querySelector("h2").textContent.toLowerCase().includes(word) ||
      [...item.querySelectorAll(".search-snippet strong")].some((bold) => bold.textContent.toLowerCase() === word));
  });
  if (!shown) problems.push("search: the word is in no result's title or snippet");
}

// What the page shows, read in the page once it is drawn.
async function pageFacts(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const rgb = (text) => (text.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    const bodyStyle = getComputedStyle(document.body);
    const middle = (element) => { const box = element.getBoundingClientRect(); return Math.round((box.top + box.bottom) / 2); };
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      color: rgb(bodyStyle.color),
      background: rgb(bodyStyle.backgroundColor),
      // An image in the article's body carries meaning: it needs words. Outside it, the theme's
      // own images may be decorative (alt="", as the author box's avatar beside the name), but
      // none may leave alt out.
      imagesWithoutAlt: [...document.images].filter((img) => img.getAttribute("alt") === null ||
        (img.closest(".content") && !img.getAttribute("alt").trim())).map((img) => img.src),
      toc: [...document.querySelectorAll("nav.toc a")].map((a) => a.textContent.trim()),
      // Every in-page link (table of contents, heading anchors, footnotes) reaches an element.
      brokenFragments: [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute("href").slice(1))
        .filter((id) => id && !document.getElementById(decodeURIComponent(id))),
      copyButtons: document.querySelectorAll("button.copy").length,
      codeBlocks: document.querySelectorAll(".content pre").length,
      article: !!document.querySelector("article.page"),
      navTops: [...new Set([...document.querySelectorAll(".site-header nav li")].map(middle))],
      chipTops: [...document.querySelectorAll(".terms-index li")].slice(0, 2).map(middle),
      svgBackgrounds: [...document.querySelectorAll('.content img[src$=".svg"]')].map((img) => getComputedStyle(img).backgroundColor),
      jsonLd: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => {
        try { return JSON.parse(s.textContent)["@type"]; } catch (e) { return `unparsable: ${e}`; }
      }),
      cspViolations: window.__cspViolations || [],
      diagrams: [...document.querySelectorAll(".content .diagram svg")].map((svg) => ({
        shapes: svg.querySelectorAll("rect, path, polygon, circle, ellipse").length,
        text: svg.textContent.replace(/\s+/g, " ").trim(),
        width: Math.round(svg.getBoundingClientRect().width),
        height: Math.round(svg.getBoundingClientRect().height),
      })),
      mathsAsked: !!document.querySelector('script[src$="/js/maths.js"]'),
      formulas: document.querySelectorAll(".content .katex").length,
      mathml: document.querySelectorAll(".content .katex math").length,
    };
  });
}

// The table of contents' last entry, clicked, brings its heading into view (scrolling smoothly).
async function checkTableOfContents(page, problems) {
  const links = await page.$$("nav.toc a");
  await links.at(-1).click();
  await page.waitForFunction(() => {
    const heading = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const top = heading ? heading.getBoundingClientRect().top : -1;
    return top >= 0 && top < innerHeight;
  }, { timeout: 5000 }).catch(() => problems.push("table of contents: its last entry does not bring its heading into view"));
  await page.evaluate(() => window.scrollTo(0, 0));
}

// What the facts tell of a reader's page at this scheme and width; the body's contrast ratio.
function judge(facts, scheme, width, problems) {
  for (const violation of facts.cspViolations) problems.push(`CSP violation: ${violation}`);
  for (const id of facts.brokenFragments) problems.push(`in-page link to #${id}: no such element`);
  for (const d of facts.diagrams) {
    if (!(d.shapes > 0 && d.text && d.width > 0 && d.height > 0)) problems.push(`diagram drawn empty: ${JSON.stringify(d)}`);
    if (width < 500 && d.width > facts.clientWidth) problems.push(`diagram ${d.width}px wide in a ${facts.clientWidth}px viewport`);
  }
  if (facts.mathsAsked && !(facts.formulas > 0 && facts.mathml === facts.formulas)) {
    problems.push(`maths: ${facts.formulas} formulas drawn, ${facts.mathml} with MathML`);
  }
  if (width < 500 && facts.scrollWidth > facts.clientWidth) {
    problems.push(`scrolls sideways: ${facts.scrollWidth}px wide in a ${facts.clientWidth}px viewport`);
  }
  for (const src of facts.imagesWithoutAlt) problems.push(`image without alt text: ${src}`);
  const ratio = contrast(facts.color, facts.background);
  if (!(ratio >= 4.5)) problems.push(`body contrast ${ratio.toFixed(2)}:1 (${facts.color} on ${facts.background})`);
  // Issue 12: the menu and the tag chips stepped down like a staircase (a global li + li margin).
  if (width > 1000 && facts.navTops.length !== 1) problems.push(`menu items at ${facts.navTops.length} heights`);
  if (width > 1000 && facts.chipTops.length === 2 && facts.chipTops[0] !== facts.chipTops[1]) {
    problems.push(`tag chips step down: ${facts.chipTops}`);
  }
  // Diagrams drawn dark on transparent vanished in dark mode: they sit on a light card.
  if (scheme === "dark") {
    for (const bg of facts.svgBackgrounds) if (bg === "rgba(0, 0, 0, 0)") problems.push("SVG image on a transparent background in dark mode");
  }
  if (facts.article && facts.jsonLd.join() !== "BlogPosting") problems.push(`JSON-LD: ${facts.jsonLd}`);
  if (facts.codeBlocks && facts.copyButtons !== facts.codeBlocks) {
    problems.push(`${facts.codeBlocks} code blocks but ${facts.copyButtons} copy buttons`);
  }
  return ratio;
}

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return axe.map((violation) => `axe ${violation}`);
}

// One page in one scheme at one width, in a window of its own; its screenshot saved.
async function checkPage(target, scheme, width) {
  const problems = [];
  // A window of its own: a background tab draws no frames (no screenshot, no smooth scroll).
  const page = await browser.newPage({ type: "window" });
  await page.evaluateOnNewDocument(recordViolations);
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
  await page.setViewport({ width, height: 900, isMobile: width < 500, hasTouch: width < 500 });
  await visit(page, new URL(target, base).href, problems);
  if (target.startsWith("/search/")) await checkSearch(page, problems);
  const facts = await pageFacts(page);
  if (facts.toc.length) await checkTableOfContents(page, problems);
  const ratio = judge(facts, scheme, width, problems);
  problems.push(...(await axeViolations(page)));
  const name = `${target.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home"}-${scheme}-${width}.png`;
  await page.screenshot({ path: path.join(shots, name), fullPage: true });
  await page.close();
  return {
    url: target, scheme, width, contrast: Number(ratio.toFixed(2)), problems,
    diagrams: facts.diagrams.map((d) => ({ shapes: d.shapes, text: d.text })), formulas: facts.formulas, toc: facts.toc,
  };
}

// Every page in every scheme and width, WINDOWS at a time: most of a page's time is waiting (for
// the network to go idle, for Mermaid to draw), which windows side by side overlap (41 pages of the
// sample: 86 s one at a time, 35 s four at a time, on two busy cores). The report keeps the order
// of the arguments.
const jobs = paths.flatMap((target) => SCHEMES.flatMap((scheme) => WIDTHS.map((width) => [target, scheme, width])));
const report = new Array(jobs.length);
let taken = 0;
await Promise.all(Array.from({ length: Math.min(WINDOWS, jobs.length) }, async () => {
  while (taken < jobs.length) {
    const index = taken++;
    report[index] = await checkPage(...jobs[index]);
  }
}));

// The toggle: light -> dark is remembered across a reload, and applied before the first paint.
{
  const problems = [];
  const page = await browser.newPage();
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
  await visit(page, new URL("/", base).href, problems);
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.click(".theme-toggle"); // auto -> light
  await page.click(".theme-toggle"); // light -> dark
  await visit(page, new URL("/", base).href, problems);
  const after = await page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
    label: document.querySelector(".theme-toggle").getAttribute("aria-label"),
  }));
  if (after.theme !== "dark") problems.push(`toggle: data-theme is ${after.theme} after a reload, not dark`);
  if (after.background === before) problems.push(`toggle: background stayed ${before} in dark mode`);
  if (!after.label.includes("dark")) problems.push(`toggle: label "${after.label}" does not say dark`);
  await page.click(".theme-toggle"); // dark -> auto
  const auto = await page.evaluate(() => [document.documentElement.getAttribute("data-theme"), localStorage.getItem("pressroom-theme")]);
  if (auto[0] !== null || auto[1] !== "auto") problems.push(`toggle: auto leaves data-theme ${auto[0]}, saved ${auto[1]}`);  // "auto" is remembered: it overrides a site's defaultAppearance
  report.push({ url: "/ (toggle)", scheme: "light", width: 1280, problems });
  await page.close();
}

await browser.close();
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
