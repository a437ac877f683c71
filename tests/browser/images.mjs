// A site's images in Debian's chromium (puppeteer-core), for test_images_browser.py: prints one
// JSON document of facts, which the test judges.
//
//   node images.mjs BASE_URL
//
// - shifts: posts/gallery/ and posts/ at 1280 and 390 px. Every image request is held until the
//   page is laid out (its stylesheet applied, two frames drawn: the theme has no web font); each
//   <img>'s box is read then, the held requests answered, the page scrolled to its end (images
//   asked for on the way answered 200 ms late), and the boxes read again once every image is
//   loaded. With the layout-shift entries of the whole visit (PerformanceObserver, buffered).
// - bytes: posts/heavy/ at 1280 and 390 px, device pixel ratio 1, 2 and 3, in a fresh browser
//   context (an empty cache): every image response, with the bytes chromium received for it (CDP's
//   Network.loadingFinished encodedDataLength: headers and body, as they came off the wire).
// - lazy: posts/gallery/ at 1280 and 390 px, nothing held: which images were fetched once the
//   network was idle, where each image is, then each image below the first screen scrolled to
//   and whether it was fetched then.
import puppeteer from "puppeteer-core";

const [base] = process.argv.slice(2);
const HEIGHT = 900;
const PHONE = 500;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  protocolTimeout: 60000,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

// A page in a browser context of its own (no cache, no cookies shared), in a window of its own (a
// background tab draws no frames, and layout shifts are found when frames are drawn).
async function freshPage(width, deviceScaleFactor = 1) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage({ type: "window" });
  await page.setViewport({ width, height: HEIGHT, deviceScaleFactor, isMobile: width < PHONE, hasTouch: width < PHONE });
  return { context, page };
}

// The image's name in its bundle: `quay.HASH.672.avif` and `quay.jpg` are both "quay".
const stem = (url) => decodeURIComponent(new URL(url, base).pathname.split("/").pop()).split(".")[0];

// Every <img>: its src, where it is in the document and its box (CSS px, to 1/100), and whether
// it is loaded.
const boxes = () => [...document.images].map((img) => {
  const box = img.getBoundingClientRect();
  const px = (value) => Math.round(value * 100) / 100;
  return {
    src: img.getAttribute("src"),
    top: px(box.top + scrollY),
    left: px(box.left + scrollX),
    width: px(box.width),
    height: px(box.height),
    loaded: img.complete && img.naturalWidth > 0,
    lazy: img.getAttribute("loading") === "lazy",
  };
});

// Every layout shift of the visit, with what moved (a node's name and src or class) and how.
const recordShifts = () => {
  window.__shifts = [];
  const name = (node) => (node ? `${node.nodeName} ${node.getAttribute?.("src") || node.className || ""}`.trim() : "?");
  const rect = (r) => [r.x, r.y, r.width, r.height].map(Math.round);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__shifts.push({
        value: entry.value,
        hadRecentInput: entry.hadRecentInput,
        startTime: Math.round(entry.startTime),
        sources: (entry.sources || []).map((s) => ({ node: name(s.node), from: rect(s.previousRect), to: rect(s.currentRect) })),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
};

// The theme has no web font (`document.fonts.ready` would wait for the load event, which the held
// images hold back): laid out once its stylesheets apply and two frames are drawn.
const laidOut = () => new Promise((resolve) => {
  const ready = () => [...document.querySelectorAll('link[rel="stylesheet"]')].every((link) => link.sheet);
  const poll = () => (ready() ? resolve() : setTimeout(poll, 20));
  poll();
}).then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

async function scrollToEnd(page) {
  for (;;) {
    const more = await page.evaluate(() => {
      const before = scrollY;
      window.scrollBy({ top: innerHeight * 0.7, behavior: "instant" });
      return scrollY > before;
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!more) return;
  }
}

async function shifts(target, width) {
  const { context, page } = await freshPage(width);
  await page.evaluateOnNewDocument(recordShifts);
  await page.setRequestInterception(true);
  const held = [];
  let holding = true;
  page.on("request", (request) => {
    if (request.resourceType() !== "image") request.continue();
    else if (holding) held.push(request);
    else setTimeout(() => request.continue(), 200);
  });
  await page.goto(new URL(target, base).href, { waitUntil: "domcontentloaded" });
  await page.evaluate(laidOut);
  const before = await page.evaluate(boxes);
  const heldAtLayout = held.map((request) => stem(request.url()));
  holding = false;
  for (const request of held.splice(0)) request.continue();
  await scrollToEnd(page);
  await page.waitForFunction(() => [...document.images].every((img) => img.complete), { timeout: 20000 })
    .catch(() => {});
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const after = await page.evaluate(boxes);
  const layoutShifts = await page.evaluate(() => window.__shifts);
  await context.close();
  return { url: target, width, heldAtLayout, before, after, layoutShifts };
}

async function bytes(target, width, dpr) {
  const { context, page } = await freshPage(width, dpr);
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  const responses = new Map();
  cdp.on("Network.responseReceived", (event) => {
    if (event.type === "Image") {
      responses.set(event.requestId, { url: event.response.url, status: event.response.status, type: event.response.mimeType });
    }
  });
  const received = new Map();
  cdp.on("Network.loadingFinished", (event) => received.set(event.requestId, event.encodedDataLength));
  await page.goto(new URL(target, base).href, { waitUntil: "networkidle0" });
  // What each image shows: the candidate chromium chose, the width it is laid out at, and the
  // widths its first <source> offers.
  const shown = await page.evaluate(() => [...document.images].map((img) => ({
    currentSrc: img.currentSrc,
    width: img.getBoundingClientRect().width,
    offered: (img.parentElement.querySelector("source")?.srcset || "").split(",").map((c) => parseInt(c.trim().split(/\s+/)[1], 10)),
  })));
  const images = [...responses].map(([id, response]) => ({ ...response, bytes: received.get(id) ?? null }));
  await context.close();
  return { url: target, width, dpr, images, shown };
}

async function lazy(target, width) {
  const { context, page } = await freshPage(width);
  const fetched = [];
  page.on("request", (request) => { if (request.resourceType() === "image") fetched.push(stem(request.url())); });
  await page.goto(new URL(target, base).href, { waitUntil: "networkidle0" });
  const atLoad = [...fetched];
  const images = await page.evaluate(boxes);
  const scrolledTo = [];
  for (let i = 0; i < images.length; i++) {
    if (images[i].top < HEIGHT) continue;
    const before = fetched.length;
    await page.evaluate((index) => document.images[index].scrollIntoView({ block: "center", behavior: "instant" }), i);
    const loaded = await page.waitForFunction((index) => document.images[index].complete && document.images[index].naturalWidth > 0,
      { timeout: 10000 }, i).then(() => true, () => false);
    scrolledTo.push({ stem: stem(images[i].src), fetched: fetched.slice(before), loaded });
  }
  const innerHeight = await page.evaluate(() => innerHeight);
  await context.close();
  return {
    url: target, width, innerHeight, atLoad, scrolledTo,
    images: images.map((image) => ({ stem: stem(image.src), top: image.top, lazy: image.lazy })),
  };
}

const report = { shifts: [], bytes: [], lazy: [] };
for (const target of ["/posts/gallery/", "/posts/"]) {
  for (const width of [1280, 390]) report.shifts.push(await shifts(target, width));
}
for (const width of [1280, 390]) {
  for (const dpr of [1, 2, 3]) report.bytes.push(await bytes("/posts/heavy/", width, dpr));
}
for (const width of [1280, 390]) report.lazy.push(await lazy("/posts/gallery/", width));
await browser.close();
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
