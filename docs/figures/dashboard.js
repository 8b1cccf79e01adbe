// The dashboard picture of the README: log in as the demo's credit manager and take
// Dunning > Reporting > Dashboard. Needs playwright-core (npm) and Debian's chromium;
// run while `scripts/run` serves the demo:
//   NODE_PATH=/path/to/node_modules node docs/figures/dashboard.js http://localhost:8069 out.png
const { chromium } = require("playwright-core");

(async () => {
    const [base = "http://localhost:8069", out = "docs/figures/dashboard.png"] =
        process.argv.slice(2);
    const browser = await chromium.launch({
        executablePath: "/usr/bin/chromium",
        args: ["--no-sandbox", "--disable-gpu"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
    await page.goto(`${base}/web/login`);
    await page.fill("input[name=login]", "creditmanager");
    await page.fill("input[name=password]", "creditmanager");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/odoo/);
    await page.goto(`${base}/odoo/action-debtor_dunning.debtor_dunning_kpi_action_open`);
    await page.waitForSelector(".o_kanban_record");
    await page.waitForTimeout(1000);
    await page.screenshot({ path: out });
    await browser.close();
})();
