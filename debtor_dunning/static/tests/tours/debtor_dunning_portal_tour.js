/** @odoo-module **/

import { registry } from "@web/core/registry";

// A customer finds his payment reminder, the overdue invoice and the letter.
registry.category("web_tour.tours").add("debtor_dunning_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the payment reminders",
            trigger: 'a[href="/my/dunning"]',
            run: "click",
        },
        {
            content: "The overdue invoice is listed",
            trigger: ".o_dunning_invoice .o_dunning_invoice_link",
        },
        {
            content: "Open the reminder",
            trigger: ".o_dunning_notice_row a:first",
            run: "click",
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
        },
        {
            content: "The invoice page shows",
            trigger: "#portal_pay, .o_portal_sidebar, #invoice_content",
        },
    ],
});
