/** @odoo-module **/
/* The credit controller's cockpit (debtor_dunning/tests/test_cockpit.py): from the
   overdue list to a customer's statement, "Dun Now" and the one-customer proposal;
   the worklist "My Dunning" names the customer whose notice waits for review; then
   the proposal is validated and its e-mail sent in the background. */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("dunning_cockpit_tour", {
    steps: () => [
        {
            content: "The overdue list shows the open amount, level and state",
            trigger: ".o_list_view th[data-name='amount_residual_signed']",
        },
        {
            trigger: ".o_list_view th[data-name='dunning_days_overdue']",
        },
        {
            trigger: ".o_list_view th[data-name='dunning_state']",
        },
        {
            content: "Search the customer's invoices",
            trigger: ".o_searchview_input",
            run: "edit Cockpit Customer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the customer's statement from the invoice's row",
            trigger:
                ".o_data_row:contains(Cockpit Customer) button[name='action_open_dunning_statement']",
            run: "click",
        },
        {
            content: "The statement sums the open amounts, not the invoice totals",
            trigger: ".o_form_view .o_dunning_amount_overdue:contains(1,000.00)",
        },
        {
            trigger: ".o_form_view .o_dunning_amount_due:contains(1,250.00)",
        },
        {
            content: "Its open items are listed",
            trigger: ".o_field_widget[name='dunning_open_move_ids'] .o_data_row",
        },
        {
            content: "Dun this customer now",
            trigger: ".o_form_view button[name='action_dunning_dun_now']",
            run: "click",
        },
        {
            content: "The proposal is for this customer only",
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains(Cockpit Customer)",
        },
        {
            content: "It proposes the customer's notice",
            trigger: ".o_field_widget[name='notice_ids'] .o_data_row:contains(Cockpit Customer)",
        },
    ],
});

registry.category("web_tour.tours").add("dunning_cockpit_send_tour", {
    steps: () => [
        {
            content: "Validate the one-customer proposal",
            trigger: ".o_form_view button[name='action_validate']",
            run: "click",
        },
        {
            content: "Confirm: the notices are issued",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Send its e-mail: queued, the screen is free at once",
            trigger: ".o_form_view button[name='action_send_notices']",
            run: "click",
        },
        {
            content: "The user is told it is on its way",
            trigger: ".o_notification",
        },
    ],
});

registry.category("web_tour.tours").add("dunning_worklist_tour", {
    steps: () => [
        {
            content: "My Dunning names the customer whose notice waits for review",
            trigger: ".o_data_row:contains(Cockpit Customer):contains(Notice to review)",
        },
        {
            content: "The customer of another collector is not mine",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Other Customer)))",
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row:contains(Cockpit Customer) .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "The statement opens, with what to do today",
            trigger: ".o_form_view .o_dunning_work:contains(Notice to review)",
        },
        {
            trigger: ".o_form_view button[name='action_dunning_dun_now']",
        },
    ],
});
