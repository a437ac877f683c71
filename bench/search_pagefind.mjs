// What Pagefind's own browser library fetches to answer one query, cold (bench/search_sizes.py).
//
// `node search_pagefind.mjs BUNDLE QUERY SHOWN...` loads BUNDLE/pagefind.js (the file a page
// imports) with `fetch` replaced by a reader of BUNDLE that records each URL and its bytes, runs
// `search(QUERY)`, then loads the data (fragment) of the first N results for each N of SHOWN, as
// Pagefind's UI does for a page of results. Prints one JSON object: the files fetched by the search
// (entry, metadata, wasm, index chunks) and by each page of results. In node there is no `Worker`,
// so the library runs in this thread: the files it fetches are those a browser's worker fetches,
// and pagefind-worker.js itself is counted by the caller.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const [bundle, query, ...shownArgs] = process.argv.slice(2);
const base = pathToFileURL(bundle.endsWith("/") ? bundle : bundle + "/").href;
let fetched = [];
globalThis.fetch = async (url) => {
  const address = new URL(String(url), base);
  const path = fileURLToPath(address.href.split("?")[0]);
  const body = await readFile(path);
  fetched.push({ file: path.slice(fileURLToPath(base).length), bytes: body.length });
  return new Response(body, { status: 200 });
};

const pagefind = await import(base + "pagefind.js");
await pagefind.options({ basePath: base });
const search = await pagefind.search(query);
const report = { query, results: search.results.length, search: fetched, shown: {} };
let loaded = 0;
for (const shown of shownArgs.map(Number)) {
  fetched = [];
  await Promise.all(search.results.slice(loaded, shown).map((result) => result.data()));
  loaded = Math.max(loaded, shown);
  report.shown[shown] = fetched;
}
console.log(JSON.stringify(report));
await pagefind.destroy();
