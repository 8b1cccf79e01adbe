// The README's screenshots: the approval queue and the agency cases, as the demo's
// credit manager. node docs/screens/screens.mjs http://localhost:PORT DB
import { createRequire } from "node:module";
const require = createRequire("/work/tools/");
const { chromium } = require("playwright-core");

const [base, db] = process.argv.slice(2);
const out = new URL(".", import.meta.url).pathname;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: 1440, height: 720 } });
await page.goto(`${base}/web/login?db=${db}`);
await page.fill("input[name=login]", "creditmanager");
await page.fill("input[name=password]", "creditmanager");
await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
for (const [action, file] of [
    ["debtor_dunning.debtor_dunning_notice_action_to_approve", "approval-queue.png"],
    ["debtor_dunning.debtor_dunning_handover_action", "agency-cases.png"],
]) {
    await page.goto(`${base}/odoo/action-${action}`);
    await page.waitForSelector(".o_list_renderer");
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}${file}` });
}
await browser.close();
