import { readFileSync } from 'node:fs';
import { launchChromium } from './tests/e2e/harness';
const [file, y, h, out] = process.argv.slice(2);
(async () => {
  const b = await launchChromium();
  const p = await b.newPage({ viewport: { width: 1440, height: Number(h) } });
  await p.setContent(`<body style="margin:0"><img src="data:image/png;base64,${readFileSync(file).toString('base64')}" style="display:block;margin-top:-${y}px"></body>`);
  await p.screenshot({ path: out });
  await b.close();
})();
