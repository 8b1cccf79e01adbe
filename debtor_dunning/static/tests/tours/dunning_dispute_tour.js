/** @odoo-module **/
/* An accountant disputes one overdue invoice of a customer and puts the other one
   into a payment arrangement (debtor_dunning/tests/test_portal_dispute.py). */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("dunning_dispute_tour", {
    steps: () => [
        {
            content: "Search the customer's invoices",
            trigger: ".o_searchview_input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open one of them",
            trigger: ".o_data_row .o_data_cell:contains(Tour Customer)",
            run: "click",
        },
        {
            content: "Dispute it",
            trigger: ".o_form_view button[name='action_dunning_dispute']",
            run: "click",
        },
        {
            // Odoo 18.0 shows a selection field as a <select>, 19.0 as a menu.
            content: "The customer says the goods were damaged",
            trigger:
                ".modal .o_field_widget[name='reason'] :is(select, .o_select_menu_toggler)",
            async run(helpers) {
                if (this.anchor.tagName === "SELECT") {
                    await helpers.selectByLabel("Quality");
                } else {
                    await helpers.click();
                }
            },
        },
        {
            trigger:
                ".modal .o_field_widget[name='reason'] select, .o_select_menu_item:contains(Quality)",
            async run(helpers) {
                if (this.anchor.tagName !== "SELECT") {
                    await helpers.click();
                }
            },
        },
        {
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Scratched on delivery",
        },
        {
            content: "Open the dispute",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Go to the other invoice",
            trigger: "body:not(:has(.modal)) .o_pager_next",
            run: "click",
        },
        {
            trigger: ".o_pager_value:contains(2)",
        },
        {
            content: "Offer a payment arrangement",
            trigger: ".o_form_view button[name='action_dunning_arrangement']",
            run: "click",
        },
        {
            content: "Make the schedule",
            trigger: ".o_form_view button[name='action_compute_schedule']",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='line_ids'] .o_data_row",
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The arrangement runs",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Running)",
        },
    ],
});
