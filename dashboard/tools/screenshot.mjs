// Saves a screenshot of a running dashboard, e.g. the demo's (for the README):
//   cargo run --release -- --load &        # then, in dashboard/:
//   node tools/screenshot.mjs http://127.0.0.1:8080/debug/ screenshot.png
import { chromium } from "playwright-core";

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node tools/screenshot.mjs <dashboard url> <output.png>");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
await page.goto(url);
await page.waitForFunction(() => document.getElementById("status").dataset.state === "live", null, { timeout: 20_000 });
await page.waitForTimeout(15_000); // let trends and rates fill in
await page.screenshot({ path: out, fullPage: true });
await browser.close();
