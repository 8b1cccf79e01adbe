/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Odoo 19.0 wants a step that loads another page marked with expectUnloadPage;
 * 18.0 refuses the key. The one place that tells them apart on the tours' side
 * (debtor_dunning/compat.py is the Python one): spread it into such steps.
 */
function loadsPage() {
    const odoo19 = "@web_tour/js/tour_automatic/tour_automatic";
    return odoo.loader.modules.has(odoo19) || odoo.loader.factories.has(odoo19)
        ? { expectUnloadPage: true }
        : {};
}

// A customer finds his payment reminder, the overdue invoice and the letter.
registry.category("web_tour.tours").add("debtor_dunning_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the payment reminders",
            trigger: 'a[href="/my/dunning"]',
            run: "click",
            ...loadsPage(),
        },
        {
            content: "The overdue invoice is listed",
            trigger: ".o_dunning_invoice .o_dunning_invoice_link",
        },
        {
            content: "Open the reminder",
            trigger: ".o_dunning_notice_row a:first",
            run: "click",
            ...loadsPage(),
        },
        {
            content: "The reminder lists the invoice, with a link to pay it",
            trigger: ".o_dunning_notice a.o_dunning_invoice_link[href*='access_token']",
        },
        {
            content: "Download the letter",
            trigger: "a.o_dunning_download",
            async run() {
                const response = await fetch(this.anchor.getAttribute("href"));
                const type = response.headers.get("Content-Type");
                const disposition = response.headers.get("Content-Disposition") || "";
                if (!response.ok || type !== "application/pdf") {
                    throw new Error(
                        `The letter did not download: ${response.status} ${type}`,
                    );
                }
                if (!disposition.includes("attachment")) {
                    throw new Error(`The letter is not a download: ${disposition}`);
                }
            },
        },
        {
            content: "Open the overdue invoice's own page",
            trigger: ".o_dunning_notice a.o_dunning_invoice_link",
            run: "click",
            ...loadsPage(),
        },
        {
            content: "The invoice page shows",
            trigger: "#portal_pay, .o_portal_sidebar, #invoice_content",
        },
    ],
});
