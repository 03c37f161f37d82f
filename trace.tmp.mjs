import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto('http://127.0.0.1:4792/');
await page.waitForTimeout(6000);
const where = process.argv[2];
await page.evaluate((w) => w === 'top' ? window.scrollTo(0,0) : document.querySelector(w)?.scrollIntoView(), where);
await page.waitForTimeout(1000);
console.log('canvases', await page.evaluate(() => document.querySelectorAll('canvas').length));
await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
await page.waitForTimeout(5000);
const buf = await browser.stopTracing();
const events = JSON.parse(buf.toString()).traceEvents;
const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
const agg = new Map();
let tasks = [];
const onMain = events.filter((e) => e.ph === 'X' && e.tid === main?.tid && e.pid === main?.pid);
for (const e of onMain) {
  const d = (e.dur ?? 0) / 1000;
  agg.set(e.name, (agg.get(e.name) ?? [0, 0]).map((v, i) => v + (i === 0 ? d : 1)));
  if (e.name === 'RunTask' && d > 40) {
    const kids = onMain.filter((k) => k !== e && k.ts >= e.ts && k.ts + (k.dur??0) <= e.ts + e.dur && k.name !== 'RunTask');
    const top = new Map();
    for (const k of kids) top.set(k.name, (top.get(k.name) ?? 0) + (k.dur ?? 0) / 1000);
    const tdur = e.tdur ? Math.round(e.tdur / 1000) : null;
    tasks.push(`${Math.round(d)}ms (cpu ${tdur}): ` + [...top.entries()].sort((a,b)=>b[1]-a[1]).slice(0,5).map(([n,v])=>`${n} ${v.toFixed(0)}`).join(', '));
  }
}
console.log(tasks.join('\n'));
for (const [k, [d, n]] of [...agg.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12)) console.log(d.toFixed(0).padStart(7), String(n).padStart(6), k);
await browser.close();
